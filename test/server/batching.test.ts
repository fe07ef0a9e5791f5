import { describe, expect, it, onTestFinished, vi } from "vitest";
import { BatchRequestError, QueueFullError, QueueTimeoutError } from "../../server/batching";
import { type BytesData, DATATYPES, stringsOfBytes, type Tensor } from "../../server/tensor";
import { batcher, fp32, ManualRunner, settle, tensorOf, track } from "./batching-helpers";

describe("DynamicBatcher", () => {
  it("runs a lone request at once, alone, passing its tensors and the outputs through untouched", async () => {
    // GIVEN an idle instance
    const runner = new ManualRunner();
    const b = batcher([runner], { maxQueueDelayMicroseconds: 5_000_000 });
    const input = fp32("x", [[1, 2]]);
    // WHEN one request arrives
    const result = track(b.infer([input], ["y"]));
    // THEN it runs immediately with the very same tensor (no copy, no waiting for company)
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]!.inputs[0]).toBe(input);
    // AND the request's own tensor is not lent: the instance must copy it, never take it
    expect(runner.calls[0]!.options?.inputsDisposable).not.toBe(true);
    await runner.finish();
    expect(result.value![0]!.data).toBe(input.data);
  });

  it("joins requests queued while the instance is busy, and gives each exactly its own rows", async () => {
    // GIVEN a busy instance
    const runner = new ManualRunner();
    const b = batcher([runner]);
    const first = track(b.infer([fp32("x", [[0, 0]])], ["y"]));
    // WHEN requests of 1, 3 and 2 rows queue behind it
    const r1 = track(b.infer([fp32("x", [[1, 1]])], ["y"]));
    const r3 = track(
      b.infer(
        [
          fp32("x", [
            [2, 2],
            [3, 3],
            [4, 4],
          ]),
        ],
        ["y"],
      ),
    );
    const r2 = track(
      b.infer(
        [
          fp32("x", [
            [5, 5],
            [6, 6],
          ]),
        ],
        ["y"],
      ),
    );
    expect(runner.calls).toHaveLength(1);
    await runner.finish();
    // THEN they run as one batch of 6 rows, concatenated in arrival order
    expect(first.value![0]!.data).toEqual(Float32Array.of(0, 0));
    expect(runner.calls).toHaveLength(2);
    const batch = runner.calls[1]!.inputs[0]!;
    expect(batch.shape).toEqual([6, 2]);
    expect(Array.from(batch.data as Float32Array)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    // AND the joined batch, fresh memory of the batcher's own, is lent for the instance to take
    expect(runner.calls[1]!.options).toEqual({ inputsDisposable: true });
    await runner.finish();
    // AND each request gets its own rows back, with its own row count
    expect(r1.value![0]).toMatchObject({ name: "y", shape: [1, 2] });
    expect(Array.from(r1.value![0]!.data as Float32Array)).toEqual([1, 1]);
    expect(r3.value![0]!.shape).toEqual([3, 2]);
    expect(Array.from(r3.value![0]!.data as Float32Array)).toEqual([2, 2, 3, 3, 4, 4]);
    expect(r2.value![0]!.shape).toEqual([2, 2]);
    expect(Array.from(r2.value![0]!.data as Float32Array)).toEqual([5, 5, 6, 6]);
    expect(b.stats).toMatchObject({ batches: 2, rows: 7, requests: 4, queuedRequests: 0, runningBatches: 0 });
  });

  it("splits every output of a multi-input, multi-output model per request", async () => {
    // GIVEN a model computing sum and difference of a and b
    const runner = new ManualRunner((inputs) => {
      const [a, b] = inputs.map((t) => t.data as Float32Array) as [Float32Array, Float32Array];
      const shape = inputs[0]!.shape;
      return [
        { name: "sum", datatype: "FP32", shape, data: a.map((v, i) => v + b[i]!) },
        { name: "difference", datatype: "FP32", shape, data: a.map((v, i) => v - b[i]!) },
      ];
    });
    const b = batcher([runner]);
    track(b.infer([fp32("a", [[0]]), fp32("b", [[0]])], ["sum", "difference"]));
    // WHEN two requests queue and run together
    const p = track(b.infer([fp32("a", [[10]]), fp32("b", [[1]])], ["sum", "difference"]));
    const q = track(b.infer([fp32("a", [[20], [30]]), fp32("b", [[2], [3]])], ["sum", "difference"]));
    await runner.finish();
    await runner.finish();
    // THEN each request gets both outputs, its own rows, in the order asked
    expect(runner.calls).toHaveLength(2);
    expect(p.value!.map((t) => [t.name, Array.from(t.data as Float32Array)])).toEqual([
      ["sum", [11]],
      ["difference", [9]],
    ]);
    expect(q.value!.map((t) => [t.name, Array.from(t.data as Float32Array)])).toEqual([
      ["sum", [22, 33]],
      ["difference", [18, 27]],
    ]);
  });

  it("never mixes requests whose non-batch dims, datatypes or requested outputs differ", async () => {
    // GIVEN a busy instance
    const runner = new ManualRunner();
    const b = batcher([runner]);
    track(b.infer([fp32("x", [[0, 0]])], ["y"]));
    // WHEN requests differing in width, datatype and outputs queue, interleaved with compatible ones
    const wide = track(b.infer([fp32("x", [[1, 1, 1]])], ["y"]));
    const narrowA = track(b.infer([fp32("x", [[2, 2]])], ["y"]));
    const int32: Tensor = { name: "x", datatype: "INT32", shape: [1, 2], data: Int32Array.of(3, 3) };
    const ints = track(b.infer([int32], ["y"]));
    const narrowB = track(b.infer([fp32("x", [[4, 4]])], ["y"]));
    const otherOutput = track(b.infer([fp32("x", [[5, 5]])], ["z"]));
    await runner.finish();
    // THEN batches form per kind, oldest first: [wide], [narrowA, narrowB], [int32], [otherOutput]
    for (let i = 0; i < 4; i++) await runner.finish();
    const shapes = runner.calls.slice(1).map((call) => [call.inputs[0]!.datatype, ...call.inputs[0]!.shape]);
    expect(shapes).toEqual([
      ["FP32", 1, 3],
      ["FP32", 2, 2],
      ["INT32", 1, 2],
      ["FP32", 1, 2],
    ]);
    expect(runner.calls[4]!.outputNames).toEqual(["z"]);
    expect(Array.from(wide.value![0]!.data as Float32Array)).toEqual([1, 1, 1]);
    expect(Array.from(narrowA.value![0]!.data as Float32Array)).toEqual([2, 2]);
    expect(Array.from(narrowB.value![0]!.data as Float32Array)).toEqual([4, 4]);
    expect(Array.from(ints.value![0]!.data as Int32Array)).toEqual([3, 3]);
    expect(otherOutput.value![0]!.name).toBe("z");
  });

  it("caps batches at maxBatchSize rows, keeping arrival order among compatible requests", async () => {
    // GIVEN maxBatchSize 3 and a busy instance
    const runner = new ManualRunner();
    const b = batcher([runner], { maxBatchSize: 3 });
    track(b.infer([fp32("x", [[0]])], ["y"]));
    // WHEN requests of 1, 1, 2, 1 rows queue
    track(b.infer([fp32("x", [[1]])], ["y"]));
    track(b.infer([fp32("x", [[2]])], ["y"]));
    track(b.infer([fp32("x", [[3], [4]])], ["y"]));
    track(b.infer([fp32("x", [[5]])], ["y"]));
    for (let i = 0; i < 3; i++) await runner.finish();
    // THEN the 2-row request is not overtaken by the later 1-row one: batches [1,2] then [3,4,5]
    expect(runner.calls.slice(1).map((call) => Array.from(call.inputs[0]!.data as Float32Array))).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it("refuses a request with more rows than maxBatchSize, or with disagreeing row counts, with 400", async () => {
    const runner = new ManualRunner();
    const b = batcher([runner], { maxBatchSize: 2 });
    const tooMany = b.infer([fp32("x", [[1], [2], [3]])], ["y"]);
    await expect(tooMany).rejects.toBeInstanceOf(BatchRequestError);
    await expect(tooMany).rejects.toMatchObject({ statusCode: 400 });
    await expect(tooMany).rejects.toThrow(/3 rows .* at most 2 rows .*maxBatchSize/);
    const disagree = b.infer([fp32("a", [[1], [2]]), fp32("b", [[1]])], ["y"]);
    await expect(disagree).rejects.toThrow(/"a" has shape \[2, 1\] and "b" has shape \[1, 1\]/);
    const scalar: Tensor = { name: "s", datatype: "FP32", shape: [], data: Float32Array.of(1) };
    await expect(b.infer([scalar], ["y"])).rejects.toBeInstanceOf(BatchRequestError);
    expect(runner.calls).toHaveLength(0);
  });

  it("refuses requests beyond maxQueueSize at once with 503, and serves the rest", async () => {
    // GIVEN maxQueueSize 2 and a busy instance with 2 requests queued
    const runner = new ManualRunner();
    const b = batcher([runner], { maxQueueSize: 2 });
    const running = track(b.infer([fp32("x", [[0]])], ["y"]));
    const queued = [track(b.infer([fp32("x", [[1]])], ["y"])), track(b.infer([fp32("x", [[2]])], ["y"]))];
    // WHEN one more arrives
    const refused = b.infer([fp32("x", [[3]])], ["y"]);
    // THEN it is refused before anything finishes, with a message naming the limit
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused).rejects.toMatchObject({ statusCode: 503 });
    await expect(refused).rejects.toThrow(
      /model "m" version 1: the queue is full \(2 requests waiting, maxQueueSize\)/,
    );
    expect(b.stats.refusedQueueFull).toBe(1);
    await runner.finish();
    await runner.finish();
    expect(running.done && queued.every((q) => q.value !== undefined)).toBe(true);
  });

  it("answers a request that waited longer than queueTimeoutMs with 503 and never runs it", async () => {
    // GIVEN queueTimeoutMs 20 and an instance kept busy beyond it (on fake timers: no real waiting)
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const runner = new ManualRunner();
    const b = batcher([runner], { queueTimeoutMs: 20 });
    const running = track(b.infer([fp32("x", [[0]])], ["y"]));
    const waiting = track(b.infer([fp32("x", [[1]])], ["y"]));
    await vi.advanceTimersByTimeAsync(19);
    expect(waiting.error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2);
    // THEN the queued request has failed while the instance is still busy
    expect(waiting.error).toBeInstanceOf(QueueTimeoutError);
    expect((waiting.error as Error).message).toMatch(
      /waited more than 20 ms in the queue \(queueTimeoutMs\)/,
    );
    expect(b.stats).toMatchObject({ timedOut: 1, queuedRequests: 0 });
    // AND when the instance frees up, the expired request is not run
    await runner.finish();
    expect(running.done).toBe(true);
    expect(runner.calls).toHaveLength(1);
  });

  it("gives every request of a failed batch the batch's error", async () => {
    const runner = new ManualRunner();
    const b = batcher([runner]);
    track(b.infer([fp32("x", [[0]])], ["y"]));
    const a = track(b.infer([fp32("x", [[1]])], ["y"]));
    const c = track(b.infer([fp32("x", [[2], [3]])], ["y"]));
    await runner.finish();
    await runner.fail(new Error("onnxruntime: out of memory"));
    expect(a.error).toBeInstanceOf(Error);
    expect((a.error as Error).message).toBe("onnxruntime: out of memory");
    expect(c.error).toBe(a.error);
    // AND the instance is usable again
    const after = track(b.infer([fp32("x", [[4]])], ["y"]));
    await runner.finish();
    expect(after.value).toBeDefined();
  });

  it("fails each request with a clear error when an output cannot be split back by rows", async () => {
    const runner = new ManualRunner(() => [
      { name: "y", datatype: "FP32", shape: [1], data: Float32Array.of(9) },
    ]);
    const b = batcher([runner]);
    track(b.infer([fp32("x", [[0]])], ["y"]));
    const a = track(b.infer([fp32("x", [[1]])], ["y"]));
    const c = track(b.infer([fp32("x", [[2]])], ["y"]));
    await runner.finish();
    await runner.finish();
    expect((a.error as Error).message).toMatch(
      /output "y" has shape \[1\].*not the batch's 2 rows.*maxBatchSize to 1/,
    );
    expect(c.error).toBe(a.error);
  });

  it("runs each request of a non-batchable model alone, still queued for the instance", async () => {
    const runner = new ManualRunner();
    const b = batcher([runner], { batchable: false, maxQueueSize: 2 });
    const fixed: Tensor = { name: "x", datatype: "FP32", shape: [2], data: Float32Array.of(1, 2) };
    const results = [
      track(b.infer([fixed], ["y"])),
      track(b.infer([fixed], ["y"])),
      track(b.infer([fixed], ["y"])),
    ];
    await expect(b.infer([fixed], ["y"])).rejects.toBeInstanceOf(QueueFullError);
    for (let i = 0; i < 3; i++) await runner.finish();
    expect(runner.calls.map((call) => call.inputs[0])).toEqual([fixed, fixed, fixed]);
    expect(results.every((r) => r.value?.[0]?.data === fixed.data)).toBe(true);
  });

  it("with maxBatchSize 1 (batching off) runs every request alone, whatever its row count", async () => {
    const runner = new ManualRunner();
    const b = batcher([runner], { maxBatchSize: 1 });
    track(b.infer([fp32("x", [[0]])], ["y"]));
    const threeRows = track(b.infer([fp32("x", [[1], [2], [3]])], ["y"]));
    track(b.infer([fp32("x", [[4]])], ["y"]));
    for (let i = 0; i < 3; i++) await runner.finish();
    expect(runner.calls.map((call) => call.inputs[0]!.shape[0])).toEqual([1, 3, 1]);
    expect(threeRows.value![0]!.shape).toEqual([3, 1]);
  });

  it("uses every idle instance before queueing", async () => {
    const one = new ManualRunner();
    const two = new ManualRunner();
    const b = batcher([one, two]);
    track(b.infer([fp32("x", [[1]])], ["y"]));
    track(b.infer([fp32("x", [[2]])], ["y"]));
    track(b.infer([fp32("x", [[3]])], ["y"]));
    track(b.infer([fp32("x", [[4]])], ["y"]));
    expect(one.calls.length + two.calls.length).toBe(2);
    expect(b.stats).toMatchObject({ runningBatches: 2, queuedRequests: 2 });
    await two.finish();
    // THEN the instance that freed up takes both queued requests as one batch
    expect(two.calls[1]!.inputs[0]!.shape).toEqual([2, 1]);
  });

  it("on close, runs what is queued, refuses new requests with 503, then frees the instances it owns", async () => {
    // GIVEN a busy instance with one request queued, held back by a long queue delay
    const runner = new ManualRunner();
    let released = 0;
    const owned = { release: async () => void released++ };
    const closingBatcher = batcher([runner], { maxQueueDelayMicroseconds: 10_000_000 }, [owned]);
    const running = track(closingBatcher.infer([fp32("x", [[0]])], ["y"]));
    const queued = track(closingBatcher.infer([fp32("x", [[1]])], ["y"]));
    // WHEN the server closes
    const closed = track(closingBatcher.close());
    await expect(closingBatcher.infer([fp32("x", [[2]])], ["y"])).rejects.toThrow(
      /model "m" version 1: the server is shutting down and takes no new requests/,
    );
    await runner.finish();
    // THEN the queued request runs at once (no holding back) and close waits for it
    expect(runner.calls).toHaveLength(2);
    expect(closed.done).toBe(false);
    await runner.finish();
    await settle();
    expect([running.done, queued.value !== undefined, closed.done, released]).toEqual([true, true, true, 1]);
  });

  describe("holding back for company (maxQueueDelayMicroseconds)", () => {
    it("waits for the rows of the batch just finished to come back before running a partial batch", async () => {
      // GIVEN a long queue delay, and 1 row running with 2 queued behind it
      const runner = new ManualRunner();
      const b = batcher([runner], { maxQueueDelayMicroseconds: 10_000_000 });
      track(b.infer([fp32("x", [[0]])], ["y"]));
      track(b.infer([fp32("x", [[1]])], ["y"]));
      track(b.infer([fp32("x", [[2]])], ["y"]));
      // WHEN the running row finishes: 1 + 2 = 3 rows are expected, 2 wait
      await runner.finish();
      expect(runner.calls).toHaveLength(1);
      // THEN the batch starts as soon as the third row arrives
      track(b.infer([fp32("x", [[3]])], ["y"]));
      expect(runner.calls).toHaveLength(2);
      expect(Array.from(runner.calls[1]!.inputs[0]!.data as Float32Array)).toEqual([1, 2, 3]);
    });

    it("runs the partial batch when the queue delay is over", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
      onTestFinished(() => {
        vi.useRealTimers();
      });
      const runner = new ManualRunner();
      const b = batcher([runner], { maxQueueDelayMicroseconds: 5000 });
      track(b.infer([fp32("x", [[0]])], ["y"]));
      const waiting = track(b.infer([fp32("x", [[1]])], ["y"]));
      await runner.finish();
      expect(runner.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(4);
      expect(runner.calls).toHaveLength(1); // still holding back for the expected second row
      await vi.advanceTimersByTimeAsync(2);
      expect(runner.calls).toHaveLength(2);
      await runner.finish();
      expect(waiting.value).toBeDefined();
    });

    it("does not hold back when the queue delay is 0", async () => {
      const runner = new ManualRunner();
      const b = batcher([runner], { maxQueueDelayMicroseconds: 0 });
      track(b.infer([fp32("x", [[0]])], ["y"]));
      track(b.infer([fp32("x", [[1]])], ["y"]));
      await runner.finish();
      expect(runner.calls).toHaveLength(2);
    });

    it("never holds back a lone request after lone traffic", async () => {
      const runner = new ManualRunner();
      const b = batcher([runner], { maxQueueDelayMicroseconds: 10_000_000 });
      for (let i = 0; i < 3; i++) {
        const r = track(b.infer([fp32("x", [[i]])], ["y"]));
        expect(runner.calls).toHaveLength(i + 1);
        await runner.finish();
        expect(r.done).toBe(true);
      }
    });
  });

  it.each(DATATYPES)("returns each request its own rows for %s tensors", async (datatype) => {
    // GIVEN an identity model and three requests of 1, 2 and 1 rows of 3 elements joined in one batch
    const runner = new ManualRunner();
    const b = batcher([runner]);
    track(b.infer([tensorOf(datatype, 1, 100)], ["y"]));
    const sent = [tensorOf(datatype, 1, 0), tensorOf(datatype, 2, 10), tensorOf(datatype, 1, 20)];
    const results = sent.map((t) => track(b.infer([t], ["y"])));
    await runner.finish();
    await runner.finish();
    expect(runner.calls[1]!.inputs[0]!.shape).toEqual([4, 3]);
    // THEN each gets back exactly what it sent, typed as sent
    results.forEach((result, i) => {
      const got = result.value![0]!;
      expect(got.datatype).toBe(datatype);
      expect(got.shape).toEqual(sent[i]!.shape);
      if (datatype === "BYTES") {
        expect(stringsOfBytes(got.data as BytesData)).toEqual(stringsOfBytes(sent[i]!.data as BytesData));
      } else {
        expect(got.data.constructor).toBe(sent[i]!.data.constructor);
        expect(Array.from(got.data as ArrayLike<unknown>)).toEqual(
          Array.from(sent[i]!.data as ArrayLike<unknown>),
        );
      }
    });
  });
});
