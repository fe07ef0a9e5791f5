/**
 * The onnxfleet-server image a ModelService runs unless `image` says otherwise, pinned by digest: a tag can
 * be moved to other content after a deployment was reviewed, a digest names exactly one image, so every
 * node (and every rollback) runs the bytes that were tested.
 *
 * The release workflow pushes `ghcr.io/onnxfleet/onnxfleet-server:<VERSION>` and then writes the pushed
 * manifest's digest into {@link SERVER_IMAGE_DIGEST} (this one line, nowhere else) before the package is
 * published. Until the first release it holds the all-zero digest, which names no image: a cluster refuses
 * to pull it rather than run something unreviewed.
 */
import { VERSION } from "./version";

/** Registry and repository of the published server image. */
export const SERVER_IMAGE_REPOSITORY = "ghcr.io/onnxfleet/onnxfleet-server";

/** sha256 digest of the image manifest published for {@link VERSION}; written by the release workflow. */
export const SERVER_IMAGE_DIGEST = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/**
 * The CUDA flavour (`server/Dockerfile.cuda`: CUDA 12 + cuDNN 9 runtime base, onnxruntime-node's CUDA 12
 * provider installed), tagged `<VERSION>-cuda12`. A ModelService with `resources.gpu > 0` runs it by default:
 * the CPU image has no `libonnxruntime_providers_cuda.so`, so `--execution-provider cuda` cannot load there.
 */
export const SERVER_IMAGE_CUDA_TAG_SUFFIX = "-cuda12";

/** sha256 digest of the CUDA flavour's manifest for {@link VERSION}; written by the release workflow. */
export const SERVER_IMAGE_CUDA_DIGEST =
  "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/** The published image flavours: `cpu` (`server/Dockerfile`) and `cuda` (`server/Dockerfile.cuda`). */
export const SERVER_IMAGE_FLAVOURS = ["cpu", "cuda"] as const;
/** One of {@link SERVER_IMAGE_FLAVOURS}. */
export type ServerImageFlavour = (typeof SERVER_IMAGE_FLAVOURS)[number];

/** The tag of a flavour, without digest: `<repository>:<VERSION>` or `<repository>:<VERSION>-cuda12`. */
export function serverImageTag(flavour: ServerImageFlavour = "cpu"): string {
  return `${SERVER_IMAGE_REPOSITORY}:${VERSION}${flavour === "cuda" ? SERVER_IMAGE_CUDA_TAG_SUFFIX : ""}`;
}

/** `sha256:` and 64 lowercase hex digits: the only digest form the constructs accept. */
export const IMAGE_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * The default image reference: `<repository>:<VERSION>@<digest>` (CPU) or
 * `<repository>:<VERSION>-cuda12@<digest>` (CUDA). The tag is for people reading the manifest; the runtime
 * pulls by the digest alone.
 */
export function defaultServerImage(flavour: ServerImageFlavour = "cpu"): string {
  const digest = flavour === "cuda" ? SERVER_IMAGE_CUDA_DIGEST : SERVER_IMAGE_DIGEST;
  return `${serverImageTag(flavour)}@${digest}`;
}
