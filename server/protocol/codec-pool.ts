/**
 * Codec threads: JSON parsing, validation and response encoding of large tensors moved off the event
 * loop. One wide request (a 1024-float JSON body, a 1000-float answer) costs the event loop about 150 µs
 * to decode and encode itself, and about 20 µs to hand both to a codec thread, which then works on
 * another core while the event loop answers other sockets (README.md, "Codec threads", has the figures).
 * Small bodies and responses stay on the event loop, where the hand-off would cost more than it saves.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { ModelSignature } from "../runtime/metadata";
import type { Tensor } from "../tensor";
import type { RawInferBody } from "./body";
import { decodeRaw, type EncodeRequest, encodeOutputs, type InferCodec } from "./codec";
import { type CodecReply, type CodecTask, ownedBytes, tensorBuffers } from "./codec-messages";
import { ProtocolError } from "./errors";
import type { DecodedInferRequest, EncodedResponse } from "./infer";

export interface CodecPoolOptions {
  /** Codec threads to start (at least 1). */
  readonly threads: number;
  /** Request bodies of at least this many bytes are decoded on a codec thread. @default 4096 */
  readonly minOffloadBytes?: number;
  /** Responses with at least this many JSON-encoded elements are encoded on a codec thread. @default 256 */
  readonly minOffloadElements?: number;
}

interface Pending {
  readonly resolve: (reply: CodecReply) => void;
  readonly reject: (error: Error) => void;
}

interface CodecThread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Where the compiled worker program is: next to this file once built, in `dist/` when run from sources. */
function workerScript(): string {
  const beside = join(__dirname, "codec-worker.js");
  if (existsSync(beside)) return beside;
  const built = join(__dirname, "..", "..", "dist", "server", "protocol", "codec-worker.js");
  if (existsSync(built)) return built;
  throw new Error(`codec threads need the compiled ${beside} (run \`npm run build\`)`);
}

/** An {@link InferCodec} that sends large work to a fixed set of codec threads. */
export class CodecPool implements InferCodec {
  private readonly threads: CodecThread[] = [];
  private readonly script = workerScript();
  private readonly minOffloadBytes: number;
  private readonly minOffloadElements: number;
  private nextId = 0;
  private closed = false;
  private sent = 0;

  constructor(options: CodecPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new Error(`CodecPool: threads must be a positive integer, got ${options.threads}`);
    }
    this.minOffloadBytes = options.minOffloadBytes ?? 4096;
    this.minOffloadElements = options.minOffloadElements ?? 256;
    for (let index = 0; index < options.threads; index++) this.threads.push(this.startThread());
  }

  async decode(body: RawInferBody, signature: ModelSignature): Promise<DecodedInferRequest> {
    if (body.bytes.byteLength < this.minOffloadBytes) return decodeRaw(body, signature);
    const bytes = ownedBytes(body.bytes);
    const reply = await this.run(
      (id) => ({ id, op: "decode", body: { ...body, bytes }, signature }),
      [bytes.buffer as ArrayBuffer],
    );
    if (!("decoded" in reply)) throw new Error("codec thread: a decode task got a different reply");
    return reply.decoded;
  }

  async encode(request: EncodeRequest): Promise<EncodedResponse> {
    let jsonElements = 0;
    request.outputs.forEach((output, index) => {
      if (!request.binaryFlags[index]) jsonElements += output.data.length;
    });
    if (jsonElements < this.minOffloadElements) return encodeOutputs(request);
    // Outputs are often views on a whole batch's output: copy each request's own rows, then move them.
    const outputs = request.outputs.map((output) =>
      Array.isArray(output.data)
        ? output
        : ({ ...output, data: (output.data as Float32Array).slice() } as Tensor),
    );
    const reply = await this.run(
      (id) => ({ id, op: "encode", request: { ...request, outputs } }),
      tensorBuffers(outputs.filter((output) => !Array.isArray(output.data))),
    );
    if (!("encoded" in reply)) throw new Error("codec thread: an encode task got a different reply");
    const { body } = reply.encoded;
    return { ...reply.encoded, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  }

  /** Tasks handed to codec threads so far (the rest ran on the calling thread). */
  get offloadedTasks(): number {
    return this.sent;
  }

  /** Ends every codec thread; tasks still running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  /** Posts a task to the least busy thread; a 4xx reply becomes a ProtocolError, a 5xx an Error. */
  private run(task: (id: number) => CodecTask, transfer: ArrayBuffer[]): Promise<CodecReply> {
    if (this.closed) return Promise.reject(new Error("the codec threads are closed"));
    let thread = this.threads[0]!;
    for (const candidate of this.threads)
      if (candidate.pending.size < thread.pending.size) thread = candidate;
    const id = this.nextId++;
    this.sent++;
    return new Promise<CodecReply>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      const message = task(id);
      try {
        thread.worker.postMessage(message, transfer);
      } catch {
        try {
          thread.worker.postMessage(message);
        } catch (error) {
          thread.pending.delete(id);
          reject(error as Error);
        }
      }
    }).then((reply) => {
      if (!("error" in reply)) return reply;
      const { status, message } = reply.error;
      throw status < 500 ? new ProtocolError(status, message) : new Error(`codec thread: ${message}`);
    });
  }

  private startThread(): CodecThread {
    const worker = new Worker(this.script);
    worker.unref();
    const thread: CodecThread = { worker, pending: new Map() };
    worker.on("message", (reply: CodecReply) => {
      const pending = thread.pending.get(reply.id);
      if (pending === undefined) return;
      thread.pending.delete(reply.id);
      pending.resolve(reply);
    });
    worker.on("error", (error) => this.lose(thread, error));
    worker.on("exit", (code) => this.lose(thread, new Error(`a codec thread exited (code ${code})`)));
    return thread;
  }

  /** A thread died: its tasks fail, and (unless closing) a fresh thread takes its place. */
  private lose(thread: CodecThread, error: Error): void {
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
    const index = this.threads.indexOf(thread);
    if (index === -1 || this.closed) return;
    this.threads[index] = this.startThread();
  }
}
