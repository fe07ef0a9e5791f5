import pino, { type Logger } from "pino";
import type { ServerConfig } from "./config";

/** The server's structured JSON logger (stdout). Never give it tensor data. */
export function createLogger(level: ServerConfig["logLevel"], destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: "onnxfleet-server" } }, destination);
}
