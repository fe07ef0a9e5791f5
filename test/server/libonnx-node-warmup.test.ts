/**
 * Issue #17 item 1: valid models whose synthesised warm-up (zeros, dynamic dims 1) fails used to stop the
 * server at start. These are the cases of Debian's libonnx-testdata `node` suite that onnxruntime CPU runs
 * (their test_data_set_0 runs) but that reject zeros: integer Div/Mod by zero, Cast from an empty string,
 * shape, size, axes or scale inputs (Reshape, Expand, Range, Split, Unsqueeze, Slice, OneHot, Resize, ...).
 * Found by running every node case's test_data_set_0 and its synthesised warm-up (69 of 884). Served all
 * together over a real socket, each now loads with a warning and answers its test data correctly.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, start } from "../../server/main";
import { asNumbers, expectClose, jsonValue, ONNX_TESTDATA, readSet } from "./onnx-testdata";
import { tensorJson } from "./tensor-proto";

const NODE = join(ONNX_TESTDATA, "node");

const CASES = [
  "test_cast_STRING_to_FLOAT",
  "test_castlike_STRING_to_FLOAT",
  "test_castlike_STRING_to_FLOAT_expanded",
  "test_div_uint8",
  "test_expand_dim_changed",
  "test_expand_dim_unchanged",
  "test_maxunpool_export_with_output_shape",
  "test_melweightmatrix",
  "test_mod_broadcast",
  "test_mod_int64_fmod",
  "test_mod_mixed_sign_int16",
  "test_mod_mixed_sign_int32",
  "test_mod_mixed_sign_int64",
  "test_mod_mixed_sign_int8",
  "test_mod_uint16",
  "test_mod_uint32",
  "test_mod_uint64",
  "test_mod_uint8",
  "test_onehot_negative_indices",
  "test_onehot_with_axis",
  "test_onehot_with_negative_axis",
  "test_onehot_without_axis",
  "test_range_float_type_positive_delta",
  "test_range_int32_type_negative_delta",
  "test_reshape_extended_dims",
  "test_reshape_negative_extended_dims",
  "test_reshape_one_dim",
  "test_reshape_reduced_dims",
  "test_reshape_zero_and_negative_dim",
  "test_reshape_zero_dim",
  "test_resize_downsample_scales_cubic",
  "test_resize_downsample_scales_cubic_A_n0p5_exclude_outside",
  "test_resize_downsample_scales_cubic_align_corners",
  "test_resize_downsample_scales_linear",
  "test_resize_downsample_scales_linear_align_corners",
  "test_resize_downsample_scales_nearest",
  "test_resize_downsample_sizes_cubic",
  "test_resize_downsample_sizes_linear_pytorch_half_pixel",
  "test_resize_downsample_sizes_nearest",
  "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
  "test_resize_tf_crop_and_resize",
  "test_resize_upsample_scales_cubic",
  "test_resize_upsample_scales_cubic_A_n0p5_exclude_outside",
  "test_resize_upsample_scales_cubic_align_corners",
  "test_resize_upsample_scales_cubic_asymmetric",
  "test_resize_upsample_scales_linear",
  "test_resize_upsample_scales_linear_align_corners",
  "test_resize_upsample_scales_nearest",
  "test_resize_upsample_sizes_cubic",
  "test_resize_upsample_sizes_nearest",
  "test_resize_upsample_sizes_nearest_ceil_half_pixel",
  "test_resize_upsample_sizes_nearest_floor_align_corners",
  "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
  "test_slice",
  "test_slice_default_steps",
  "test_slice_end_out_of_bounds",
  "test_slice_neg",
  "test_slice_neg_steps",
  "test_slice_negative_axes",
  "test_slice_start_out_of_bounds",
  "test_split_variable_parts_1d",
  "test_split_variable_parts_2d",
  "test_split_variable_parts_default_axis",
  "test_stft",
  "test_stft_with_window",
  "test_unsqueeze_three_axes",
  "test_unsqueeze_two_axes",
  "test_unsqueeze_unsorted_axes",
  "test_upsample_nearest",
];

/**
 * Cases that load and run, but where onnxruntime's own output (InferenceSession directly, no server)
 * differs from the reference output beyond the backend tests' tolerance; their answers are not compared.
 */
const ORT_DIFFERS: Readonly<Record<string, string>> = {
  test_maxunpool_export_with_output_shape: "onnxruntime puts 5 where the reference has 0 (element 5)",
  test_resize_downsample_scales_cubic_align_corners: "onnxruntime 2.5 vs reference 2.395 (element 1)",
  test_resize_downsample_scales_linear_align_corners: "onnxruntime 4 vs reference 3.143 (element 1)",
  test_stft: "onnxruntime 1.1e-5 vs reference 0, over atol 1e-5 (element 35)",
  test_stft_with_window: "onnxruntime 1.1e-5 vs reference 0, over atol 1e-5 (element 71)",
};

const installed = existsSync(NODE);

it("the node suite is installed (apt-get install libonnx-testdata): the cases below fail, never skip, without it", () => {
  expect(installed, `${NODE} is missing`).toBe(true);
});

describe.runIf(installed)("libonnx-testdata node cases that reject a warm-up of zeros", () => {
  let root: string;
  let server: RunningServer;
  const logLines: { level: number; model?: string; msg: string }[] = [];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "onnxfleet-node-warmup-"));
    for (const name of CASES) {
      mkdirSync(join(root, name, "1"), { recursive: true });
      copyFileSync(join(NODE, name, "model.onnx"), join(root, name, "1", "model.onnx"));
    }
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    // Main-thread instances: 69 worker threads would be a lot for a test machine; the warm-up path is
    // the same (the repository's), and worker instances are covered by test/server/faults-load.test.ts.
    server = await start(
      ["--model-repository", root, "--http-port", "0", "--host", "127.0.0.1", "--instance-thread", "main"],
      {},
      { logDestination },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("loads every case (it exited at start before), warns once per case, and turns ready", async () => {
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    const warned = new Set(
      logLines
        .filter((line) => line.level === 40 && line.msg.includes("synthesised warm-up"))
        .map((line) => line.model),
    );
    expect([...warned].sort()).toEqual([...CASES].sort());
  });

  it.each(CASES.filter((name) => ORT_DIFFERS[name] === undefined))(
    "%s answers its test_data_set_0 over HTTP",
    async (name) => {
      const dir = join(NODE, name, "test_data_set_0");
      const inputs = readSet(dir, "input");
      const expected = readSet(dir, "output");
      const meta = (await (await fetch(`${server.url}/v2/models/${name}`)).json()) as {
        inputs: { name: string }[];
        outputs: { name: string }[];
      };
      const response = await fetch(`${server.url}/v2/models/${name}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: inputs.map((tensor, i) => ({
            name: meta.inputs[i]!.name,
            datatype: tensor.datatype,
            shape: tensor.shape,
            data: tensorJson(tensor),
          })),
        }),
      });
      const body = (await response.json()) as {
        outputs: { datatype: string; shape: number[]; data: unknown[] }[];
      };
      expect(response.status, JSON.stringify(body).slice(0, 300)).toBe(200);
      expected.forEach((want, i) => {
        const got = body.outputs[i]!;
        expect(got.datatype).toBe(want.datatype);
        expect(got.shape).toEqual(want.shape);
        expectClose(got.data.map(jsonValue), asNumbers(want), `${name} output ${i}`);
      });
    },
  );

  for (const [name, reason] of Object.entries(ORT_DIFFERS)) {
    it.skip(`${name}: answer not compared: ${reason}`, () => {});
  }
});
