/**
 * Real external models: Debian's libonnx-testdata `simple` and `pytorch-converted` suites. Every case's
 * model.onnx is served, each test_data_set_* is posted over HTTP (binary tensor extension, and JSON),
 * and the outputs are compared with output_*.pb within tolerance. Cases onnxruntime CPU or the
 * protocol cannot run are listed in SKIPPED with the reason.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app";
import { ModelRepository } from "../../server/repository/repository";
import { binaryRequest, splitBinaryResponse } from "./helpers";
import { asNumbers, ONNX_TESTDATA as DATA, expectClose, jsonValue, readSet } from "./onnx-testdata";
import { numbersFromBytes, tensorBytes, tensorJson } from "./tensor-proto";

const SUITES = ["simple", "pytorch-converted"] as const;

// Every skip names its reason; the list is printed as skipped tests at the end of this file.
const OLD_OPSET = (op: string) =>
  `exported at ai.onnx opset 6; onnxruntime CPU has no ${op} kernel below opset 7 ("Could not find an implementation for ${op}(6)")`;
const NO_LOCALE =
  "StringNormalizer needs the en_US.UTF-8 locale, which this machine lacks (make it: localedef -i en_US -f UTF-8 en_US.UTF-8, as .ci/run does)";
const hasEnUsLocale = execFileSync("locale", ["-a"], { encoding: "utf8" })
  .split("\n")
  .some((name) => /^en_US\.utf-?8$/i.test(name.trim()));
const LOCALE_SKIPS: Record<string, string> = hasEnUsLocale
  ? {}
  : {
      test_strnorm_model_monday_casesensintive_lower: NO_LOCALE,
      test_strnorm_model_monday_casesensintive_upper: NO_LOCALE,
      test_strnorm_model_monday_empty_output: NO_LOCALE,
      test_strnorm_model_monday_insensintive_upper_twodim: NO_LOCALE,
    };

/** Cases that cannot run, and why (each checked against onnxruntime-node 1.30 CPU). Everything else must pass. */
const SKIPPED: Readonly<Record<string, string>> = {
  test_gradient_of_add:
    "uses ai.onnx.preview.training Gradient, a training operator not in onnxruntime's inference build",
  test_gradient_of_add_and_mul:
    "uses ai.onnx.preview.training Gradient, a training operator not in onnxruntime's inference build",
  ...LOCALE_SKIPS,
  test_AvgPool1d: "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_AvgPool1d_stride:
    "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_AvgPool2d: "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_AvgPool2d_stride:
    "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_AvgPool3d: "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_AvgPool3d_stride:
    "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_AvgPool3d_stride1_pad0_gpu_input:
    "AveragePool at ai.onnx opset 1; onnxruntime CPU implements AveragePool from opset 7",
  test_BatchNorm1d_3d_input_eval: OLD_OPSET("BatchNormalization"),
  test_BatchNorm2d_eval: OLD_OPSET("BatchNormalization"),
  test_BatchNorm2d_momentum_eval: OLD_OPSET("BatchNormalization"),
  test_BatchNorm3d_eval: OLD_OPSET("BatchNormalization"),
  test_BatchNorm3d_momentum_eval: OLD_OPSET("BatchNormalization"),
  test_GLU: OLD_OPSET("Mul"),
  test_GLU_dim: OLD_OPSET("Mul"),
  test_Linear: OLD_OPSET("Gemm"),
  test_PReLU_1d: OLD_OPSET("PRelu"),
  test_PReLU_1d_multiparam: OLD_OPSET("PRelu"),
  test_PReLU_2d: OLD_OPSET("PRelu"),
  test_PReLU_2d_multiparam: OLD_OPSET("PRelu"),
  test_PReLU_3d: OLD_OPSET("PRelu"),
  test_PReLU_3d_multiparam: OLD_OPSET("PRelu"),
  test_PoissonNLLLLoss_no_reduce: OLD_OPSET("Mul"),
  test_Softsign: OLD_OPSET("Add"),
};

interface Case {
  readonly suite: string;
  readonly name: string;
  readonly dir: string;
  readonly dataSets: readonly string[];
}

function listCases(): Case[] {
  return SUITES.flatMap((suite) =>
    readdirSync(join(DATA, suite))
      .sort()
      .map((name) => {
        const dir = join(DATA, suite, name);
        return {
          suite,
          name,
          dir,
          dataSets: readdirSync(dir)
            .filter((entry) => entry.startsWith("test_data_set_"))
            .sort(),
        };
      }),
  );
}

const cases = existsSync(DATA) ? listCases() : [];
const runnable = cases.filter((c) => SKIPPED[c.name] === undefined);

describe("libonnx-testdata suites over HTTP", () => {
  it("the suites are installed (apt-get install libonnx-testdata) and every SKIPPED entry names a real case", () => {
    expect(cases.length).toBeGreaterThan(100);
    const names = new Set(cases.map((c) => c.name));
    for (const name of Object.keys(SKIPPED)) expect(names.has(name), name).toBe(true);
  });

  let root: string;
  let repository: ModelRepository;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    // Copies, not symlinks: the repository refuses links that leave it.
    root = mkdtempSync(join(tmpdir(), "onnxfleet-testdata-"));
    for (const c of runnable) {
      mkdirSync(join(root, c.name, "1"), { recursive: true });
      // Some cases (shape or split-size inputs) reject the synthesised warm-up of zeros: they load with a
      // warning (test/server/libonnx-node-warmup.test.ts).
      copyFileSync(join(c.dir, "model.onnx"), join(root, c.name, "1", "model.onnx"));
    }
    repository = new ModelRepository({ root });
    await repository.load();
    app = buildApp({ repository, bodyLimitBytes: 256 * 1024 * 1024 });
  });
  afterAll(async () => {
    await app?.close();
    await repository?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it.each(runnable.map((c) => [`${c.suite}/${c.name}/${c.dataSets[0]} (JSON)`, c] as const))(
    "%s",
    async (_label, c) => {
      const dir = join(c.dir, c.dataSets[0]!);
      const inputs = readSet(dir, "input");
      const expected = readSet(dir, "output");
      expect(expected.length).toBeGreaterThan(0);
      const meta = (await app.inject({ method: "GET", url: `/v2/models/${c.name}` })).json();
      const names = (meta.inputs as { name: string }[]).map((input) => input.name);
      const outputNames = (meta.outputs as { name: string }[]).map((output) => output.name);
      const response = await app.inject({
        method: "POST",
        url: `/v2/models/${c.name}/infer`,
        payload: {
          id: c.name,
          inputs: inputs.map((tensor, i) => ({
            name: names.includes(tensor.name) ? tensor.name : names[i],
            datatype: tensor.datatype,
            shape: tensor.shape,
            data: tensorJson(tensor),
          })),
        },
      });
      expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
      const body = response.json();
      expect(body.id).toBe(c.name);
      expected.forEach((want, i) => {
        const name = outputNames.includes(want.name) ? want.name : outputNames[i];
        const got = body.outputs.find((output: { name: string }) => output.name === name);
        expect(got, `output ${name}`).toBeDefined();
        expect(got.datatype).toBe(want.datatype);
        expect(got.shape).toEqual(want.shape);
        if (want.datatype === "BYTES") expect(got.data).toEqual(tensorJson(want));
        else expectClose((got.data as unknown[]).map(jsonValue), asNumbers(want), `${c.name} ${name}`);
      });
    },
  );

  const byCase = runnable.flatMap((c) =>
    c.dataSets.map((set) => [`${c.suite}/${c.name}/${set}`, c, set] as const),
  );

  it.each(byCase)("%s", async (_label, c, set) => {
    const inputs = readSet(join(c.dir, set), "input");
    const expected = readSet(join(c.dir, set), "output");
    expect(expected.length).toBeGreaterThan(0);
    const meta = (await app.inject({ method: "GET", url: `/v2/models/${c.name}` })).json();
    const names = (meta.inputs as { name: string }[]).map((input) => input.name);
    const outputNames = (meta.outputs as { name: string }[]).map((output) => output.name);
    const { headers, payload } = binaryRequest(
      {
        inputs: inputs.map((tensor, i) => ({
          name: names.includes(tensor.name) ? tensor.name : names[i],
          datatype: tensor.datatype,
          shape: tensor.shape,
          parameters: { binary_data_size: tensorBytes(tensor).length },
        })),
        parameters: { binary_data_output: true },
      },
      inputs.map(tensorBytes),
    );
    const response = await app.inject({
      method: "POST",
      url: `/v2/models/${c.name}/infer`,
      headers,
      payload,
    });
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
    const { header, binary } = splitBinaryResponse(response.headers, response.rawPayload);
    expected.forEach((want, i) => {
      const name = outputNames.includes(want.name) ? want.name : outputNames[i];
      const index = header.outputs.findIndex((output) => output.name === name);
      expect(index, `output ${name}`).toBeGreaterThanOrEqual(0);
      const got = header.outputs[index]!;
      expect(got.datatype).toBe(want.datatype);
      expect(got.shape).toEqual(want.shape);
      const offset = header.outputs
        .slice(0, index)
        .reduce((sum, o) => sum + o.parameters.binary_data_size, 0);
      const bytes = binary.subarray(offset, offset + got.parameters.binary_data_size);
      if (want.datatype === "BYTES") {
        expect(Buffer.compare(bytes, tensorBytes(want))).toBe(0);
        return;
      }
      expectClose(numbersFromBytes(want, bytes), asNumbers(want), `${c.name} ${name}`);
    });
  });
});

describe("libonnx-testdata cases skipped on onnxruntime CPU", () => {
  for (const c of cases.filter((entry) => SKIPPED[entry.name] !== undefined)) {
    it.skip(`${c.suite}/${c.name}: ${SKIPPED[c.name]}`, () => {});
  }
});
