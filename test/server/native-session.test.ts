import { describe, expect, it, onTestFinished } from "vitest";
import { DEFAULT_BATCHING_OPTIONS, DynamicBatcher } from "../../server/batching";
import { nativeBinding } from "../../server/runtime/native-session";
import { ModelSession, type SessionOptions } from "../../server/runtime/session";
import type { Tensor } from "../../server/tensor";
import { addModel, multiIoModel } from "../../server/testing/onnx-builder";

async function load(bytes: Uint8Array, options: SessionOptions = {}): Promise<ModelSession> {
  const session = await ModelSession.load({ path: "/models/m/1/model.onnx", bytes }, options);
  onTestFinished(() => session.release());
  return session;
}

const fp32 = (name: string, shape: number[], values: number[]): Tensor => ({
  name,
  datatype: "FP32",
  shape,
  data: Float32Array.from(values),
});

/** Where a promise settles relative to an immediate queued just before the call that made it. */
async function settlesBeforeTheNextTurn(start: () => Promise<unknown>): Promise<boolean> {
  let turnEnded = false;
  setImmediate(() => {
    turnEnded = true;
  });
  await start();
  return !turnEnded;
}

describe("main-thread sessions on onnxruntime-node's native session", () => {
  it("finds the native binding of the onnxruntime-node this package installs (else every run waits a turn)", () => {
    expect(nativeBinding()).toBeDefined();
  });

  it("gives the same signature and outputs as onnxruntime-node's public API, run now or in a later turn", async () => {
    const native = await load(multiIoModel());
    const publicApi = await load(multiIoModel(), { nativeBinding: false });
    expect(native.signature).toEqual(publicApi.signature);
    const inputs: Tensor[] = [
      fp32("a", [2, 2], [1, 2, 3, 4]),
      fp32("b", [2, 2], [0.5, 0.25, -1, 8]),
      { name: "flag", datatype: "BOOL", shape: [2], data: Uint8Array.of(1, 0) },
    ];
    const names = ["difference", "flag_out", "sum"];
    const expected = await publicApi.infer(inputs, names);
    expect(expected.map((t) => Array.from(t.data as ArrayLike<number>))).toEqual([
      [0.5, 1.75, 4, -4],
      [1, 0],
      [1.5, 2.25, 2, 12],
    ]);
    expect(await native.infer(inputs, names, { runNow: true })).toEqual(expected);
    expect(await native.infer(inputs, names)).toEqual(expected);
  });

  it("runs within the call when asked (runNow), and otherwise in a later turn of the event loop", async () => {
    const session = await load(addModel("FP32"));
    const inputs = [fp32("a", [1, 4], [1, 2, 3, 4]), fp32("b", [1, 4], [1, 1, 1, 1])];
    expect(await settlesBeforeTheNextTurn(() => session.infer(inputs, ["sum"], { runNow: true }))).toBe(true);
    expect(await settlesBeforeTheNextTurn(() => session.infer(inputs, ["sum"]))).toBe(false);
  });

  it("fails a run within the call as a rejection, with onnxruntime's message", async () => {
    const session = await load(addModel("FP32"));
    const mismatched = [fp32("a", [1, 4], [1, 2, 3, 4]), fp32("b", [1, 3], [1, 1, 1])];
    await expect(session.infer(mismatched, ["sum"], { runNow: true })).rejects.toThrow(
      /invalid dimensions for input: b/,
    );
  });
});

describe("DynamicBatcher over a main-thread session", () => {
  function batcherOver(session: ModelSession): DynamicBatcher {
    return new DynamicBatcher([session], {
      ...DEFAULT_BATCHING_OPTIONS,
      label: 'model "m" version 1',
      batchable: true,
    });
  }

  it("answers a lone request within the event-loop turn that brought it", async () => {
    const b = batcherOver(await load(addModel("FP32")));
    for (let i = 0; i < 3; i++) {
      const inputs = [fp32("a", [1, 4], [i, i, i, i]), fp32("b", [1, 4], [1, 2, 3, 4])];
      expect(await settlesBeforeTheNextTurn(() => b.infer(inputs, ["sum"]))).toBe(true);
      // the next request comes in a later turn, as a lone client's would
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(b.stats.batches).toBe(3);
  });

  it("still forms a batch of the requests read in one turn, rather than running them row by row", async () => {
    // GIVEN 32 requests arriving in one turn of the event loop, with the microtask checkpoint node runs
    // after each socket's callback between them
    const b = batcherOver(await load(addModel("FP32")));
    const answers: Promise<Tensor[]>[] = [];
    for (let i = 0; i < 32; i++) {
      answers.push(b.infer([fp32("a", [1, 4], [i, i, i, i]), fp32("b", [1, 4], [0, 1, 2, 3])], ["sum"]));
      await Promise.resolve();
    }
    // THEN each gets its own rows
    const sums = await Promise.all(answers);
    expect(sums.map(([sum]) => Array.from(sum!.data as Float32Array))).toEqual(
      Array.from({ length: 32 }, (_, i) => [i, i + 1, i + 2, i + 3]),
    );
    // AND only the first ran within its call: the second ran a turn later, and the 30 read meanwhile
    // queued behind it and ran together
    expect(b.stats.requests).toBe(32);
    expect(b.stats.batches).toBe(3);
  });
});
