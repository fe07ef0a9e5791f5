/**
 * EC2 instance types with NVIDIA GPUs that a {@link GpuNodePool} accepts (x86_64 only: the planned AMI types
 * are x86_64). Figures from the EC2 accelerated-computing instance pages: vCPUs, instance memory in GiB,
 * GPU model, GPUs per instance and memory per GPU in GiB.
 */

/** The NVIDIA GPU models found in the catalog. */
export type GpuModel = "T4" | "A10G" | "L4" | "L40S" | "V100" | "A100" | "H100" | "H200";

/** One GPU instance type. */
export interface GpuInstanceType {
  /** EC2 instance type, e.g. `g5.xlarge`. */
  readonly name: string;
  /** Family, e.g. `g5`. */
  readonly family: string;
  /** vCPUs of the instance. */
  readonly vcpus: number;
  /** Instance memory in GiB. */
  readonly memoryGiB: number;
  /** GPU model. */
  readonly gpuModel: GpuModel;
  /** GPUs per instance. */
  readonly gpuCount: number;
  /** Memory of one GPU in GiB. */
  readonly gpuMemoryGiB: number;
}

type Row = readonly [size: string, vcpus: number, memoryGiB: number, gpuCount: number];

function family(
  name: string,
  gpuModel: GpuModel,
  gpuMemoryGiB: number,
  rows: readonly Row[],
): GpuInstanceType[] {
  return rows.map(([size, vcpus, memoryGiB, gpuCount]) => ({
    name: `${name}.${size}`,
    family: name,
    vcpus,
    memoryGiB,
    gpuModel,
    gpuCount,
    gpuMemoryGiB,
  }));
}

/** The g5, g6 and g6e families share one size ladder (memory doubles for g6e). */
function gLadder(memoryFactor: number): Row[] {
  return [
    ["xlarge", 4, 16 * memoryFactor, 1],
    ["2xlarge", 8, 32 * memoryFactor, 1],
    ["4xlarge", 16, 64 * memoryFactor, 1],
    ["8xlarge", 32, 128 * memoryFactor, 1],
    ["12xlarge", 48, 192 * memoryFactor, 4],
    ["16xlarge", 64, 256 * memoryFactor, 1],
    ["24xlarge", 96, 384 * memoryFactor, 4],
    ["48xlarge", 192, 768 * memoryFactor, 8],
  ];
}

const CATALOG: readonly GpuInstanceType[] = [
  ...family("g4dn", "T4", 16, [
    ["xlarge", 4, 16, 1],
    ["2xlarge", 8, 32, 1],
    ["4xlarge", 16, 64, 1],
    ["8xlarge", 32, 128, 1],
    ["12xlarge", 48, 192, 4],
    ["16xlarge", 64, 256, 1],
    ["metal", 96, 384, 8],
  ]),
  ...family("g5", "A10G", 24, gLadder(1)),
  ...family("g6", "L4", 24, gLadder(1)),
  ...family("g6e", "L40S", 48, gLadder(2)),
  ...family("p3", "V100", 16, [
    ["2xlarge", 8, 61, 1],
    ["8xlarge", 32, 244, 4],
    ["16xlarge", 64, 488, 8],
  ]),
  ...family("p3dn", "V100", 32, [["24xlarge", 96, 768, 8]]),
  ...family("p4d", "A100", 40, [["24xlarge", 96, 1152, 8]]),
  ...family("p4de", "A100", 80, [["24xlarge", 96, 1152, 8]]),
  ...family("p5", "H100", 80, [["48xlarge", 192, 2048, 8]]),
  ...family("p5e", "H200", 141, [["48xlarge", 192, 2048, 8]]),
  ...family("p5en", "H200", 141, [["48xlarge", 192, 2048, 8]]),
];

const BY_NAME: ReadonlyMap<string, GpuInstanceType> = new Map(CATALOG.map((type) => [type.name, type]));

/** Every catalogued GPU instance type, in catalog order. */
export const GPU_INSTANCE_TYPES: readonly GpuInstanceType[] = CATALOG;

/** The catalogued families, e.g. `["g4dn", "g5", ...]`. */
export const GPU_INSTANCE_FAMILIES: readonly string[] = [...new Set(CATALOG.map((type) => type.family))];

/** The catalog entry of `instanceType`, or `undefined` when it is not a catalogued GPU instance type. */
export function findGpuInstanceType(instanceType: string): GpuInstanceType | undefined {
  return BY_NAME.get(instanceType);
}

/**
 * EC2 families known to have no NVIDIA GPU (general purpose, compute, memory, storage; Inferentia and
 * Trainium accelerators; AMD and Graviton GPU families), so a message can say "has no GPUs" rather than
 * "unknown". Matching is on the family, the part before the dot.
 */
const FAMILIES_WITHOUT_NVIDIA_GPU =
  /^(t[234][ag]?|m[4-8][a-z]*|c[4-8][a-z]*|r[4-8][a-z]*|x[12][a-z]*|z1d|i[2-8][a-z]*|d[23][a-z]*|h1|a1|u-\w+|hpc\d[a-z]*|inf[12]|trn[12][a-z]*|g4ad|g5g|dl1|dl2q|f[12]|vt1|mac\d[-\w]*)$/;

/** Why `instanceType` is not acceptable for a GPU pool, or `undefined` when it is catalogued. */
export function explainNonGpuInstanceType(instanceType: string): string | undefined {
  if (BY_NAME.has(instanceType)) return undefined;
  const known = `catalogued GPU families: ${GPU_INSTANCE_FAMILIES.join(", ")}`;
  const [familyName = "", size] = instanceType.split(".");
  if (size !== undefined && FAMILIES_WITHOUT_NVIDIA_GPU.test(familyName))
    return `has no NVIDIA GPUs; choose a GPU instance type (${known})`;
  if (GPU_INSTANCE_FAMILIES.includes(familyName)) {
    const sizes = CATALOG.filter((type) => type.family === familyName).map((type) => type.name);
    return `is not a ${familyName} size; allowed: ${sizes.join(", ")}`;
  }
  return `is not a GPU instance type known to onnxfleet (${known})`;
}
