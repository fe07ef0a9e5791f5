/**
 * The program of one codec thread (started by `CodecPool`): decodes request bodies and encodes responses
 * with the same functions the event loop uses, and hands the results back without copying them again.
 */
import { parentPort } from "node:worker_threads";
import type { CodecReply, CodecTask } from "./codec-messages";
import { runCodecTask } from "./codec-messages";

const port = parentPort;
if (port === null) throw new Error("codec-worker.js runs as a worker thread (see CodecPool)");
port.on("message", (task: CodecTask) => {
  const { reply, transfer } = runCodecTask(task);
  try {
    port.postMessage(reply, transfer);
  } catch {
    // Some buffers cannot be moved (Node's shared pool): send copies instead.
    port.postMessage(reply satisfies CodecReply);
  }
});
