/**
 * Large JSON answers, whose encoding runs on the event loop's thread: a `Range` request of 113 bytes may
 * ask for 16 million numbers, 64 MiB of raw output but 130-300 MB of JSON text and about 2 s of encoding
 * in one piece. Eight such requests at once kept a readiness probe unanswered for 15.6 s. So answers with
 * {@link LARGE_ANSWER_ELEMENTS} or more elements of JSON data:
 *
 * - are encoded one at a time, in slices of {@link SLICE_ELEMENTS} elements with a turn of the event loop
 *   before each, so probes and other requests are answered in between;
 * - stop with 400 as soon as their text passes `--max-response-bytes` (the raw-bytes check before it
 *   cannot see that JSON writes a 4-byte float as up to 25 characters).
 */
import { OutputTooLargeJsonError } from "../runtime/errors";
import type { BytesData, Tensor } from "../tensor";
import { encodeJsonData } from "./json-data";

type NumericData = Exclude<Tensor["data"], BytesData>;

/** Answers with this many elements of JSON data, or more, are large. */
export const LARGE_ANSWER_ELEMENTS = 262_144;
/** Elements encoded between two turns of the event loop: about 5-10 ms of work. */
export const SLICE_ELEMENTS = 65_536;

/** The elements of the outputs that travel as JSON (binary ones are copied, not encoded). */
export function jsonElements(outputs: readonly Tensor[], binaryFlags: readonly boolean[]): number {
  let count = 0;
  for (let i = 0; i < outputs.length; i++) {
    if (binaryFlags[i] !== true) count += elementsOf(outputs[i]!);
  }
  return count;
}

function elementsOf(tensor: Tensor): number {
  return tensor.datatype === "BYTES"
    ? (tensor.data as BytesData).offsets.length - 1
    : (tensor.data as NumericData).length;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The large-answer queue of one app. */
export class LargeAnswerEncoder {
  /** The end of the last encoding handed out: encodings run one after another. */
  private lastTurn: Promise<void> = Promise.resolve();

  /** @param maxBytes `--max-response-bytes`: the most a JSON answer may hold; undefined: no bound. */
  constructor(private readonly maxBytes: number | undefined) {}

  /**
   * The JSON data text of each output (undefined for binary ones), encoded after every earlier large
   * answer, slice by slice; rejects with 400 once the text passes the bound. `label` names the model
   * version in that error.
   */
  dataTexts(
    label: string,
    outputs: readonly Tensor[],
    binaryFlags: readonly boolean[],
  ): Promise<(string | undefined)[]> {
    const result = this.lastTurn.then(() => this.encode(label, outputs, binaryFlags));
    this.lastTurn = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async encode(
    label: string,
    outputs: readonly Tensor[],
    binaryFlags: readonly boolean[],
  ): Promise<(string | undefined)[]> {
    let bytes = 0;
    const account = (text: string, isAscii: boolean) => {
      bytes += isAscii ? text.length : Buffer.byteLength(text);
      if (this.maxBytes !== undefined && bytes > this.maxBytes) {
        throw new OutputTooLargeJsonError(label, this.maxBytes);
      }
    };
    const texts: (string | undefined)[] = [];
    for (let index = 0; index < outputs.length; index++) {
      const tensor = outputs[index]!;
      if (binaryFlags[index] === true) {
        texts.push(undefined);
        continue;
      }
      await nextTurn();
      if (tensor.datatype === "BYTES") {
        // Strings may be of any length: one piece, counted in UTF-8 bytes.
        const text = encodeJsonData(tensor);
        account(text, false);
        texts.push(text);
        continue;
      }
      const data = tensor.data as NumericData;
      const slices: string[] = [];
      for (let start = 0; start < data.length; start += SLICE_ELEMENTS) {
        if (start > 0) await nextTurn();
        const part = data.subarray(start, start + SLICE_ELEMENTS) as NumericData;
        const text = encodeJsonData({ ...tensor, shape: [part.length], data: part } as Tensor);
        // Numbers, true, false and quoted NaN/Infinity: ASCII. One byte for each comma between slices.
        const inner = text.slice(1, -1);
        account(inner, true);
        if (start > 0) bytes += 1;
        slices.push(inner);
      }
      texts.push(`[${slices.join(",")}]`);
    }
    return texts;
  }
}
