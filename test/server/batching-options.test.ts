import { describe, expect, it } from "vitest";
import { batchability, readBatchingSection } from "../../server/batching";

describe("batchability", () => {
  it("batches a model whose every input and output has a dynamic first dimension", () => {
    expect(
      batchability({ inputs: [{ name: "x", shape: [-1, 4] }], outputs: [{ name: "y", shape: [-1, 2] }] }),
    ).toEqual({ batchable: true });
  });

  it("names the tensor whose first dimension is fixed", () => {
    const fixedInput = batchability({
      inputs: [
        { name: "x", shape: [-1, 4] },
        { name: "flag", shape: [2] },
      ],
      outputs: [{ name: "y", shape: [-1] }],
    });
    expect(fixedInput).toEqual({
      batchable: false,
      reason: 'input "flag" has shape [2], whose first dimension is not dynamic',
    });
    const fixedOutput = batchability({
      inputs: [{ name: "x", shape: [-1] }],
      outputs: [{ name: "y", shape: [] }],
    });
    expect(fixedOutput).toMatchObject({ batchable: false, reason: expect.stringContaining('output "y"') });
  });
});

describe("readBatchingSection", () => {
  it("returns the settings a model's batching section overrides", () => {
    expect(readBatchingSection({})).toEqual({ options: {} });
    expect(readBatchingSection({ maxBatchSize: 8, queueTimeoutMs: 0 })).toEqual({
      options: { maxBatchSize: 8, queueTimeoutMs: 0 },
    });
  });

  it("lists every problem: unknown keys, wrong types, out-of-range values", () => {
    const result = readBatchingSection({ maxBatchSize: 0, maxQueueDelayMs: 2, maxQueueSize: "10" });
    expect(result).toEqual({
      problems: [
        "batching.maxBatchSize must be a whole number from 1 to 65536, got 0",
        "batching.maxQueueDelayMs is not a batching setting (known: maxBatchSize, maxQueueDelayMicroseconds, maxQueueSize, queueTimeoutMs)",
        'batching.maxQueueSize must be a whole number from 1 to 1000000, got "10"',
      ],
    });
    expect(readBatchingSection([])).toEqual({
      problems: ["batching must be an object, got []"],
    });
  });
});
