/** The server's name and version in `GET /v2` (a test keeps the version equal to package.json's). */
export const SERVER_NAME = "onnxfleet";
export const SERVER_VERSION = "0.1.0";
/** Open Inference Protocol extensions this server implements. */
export const SERVER_EXTENSIONS: readonly string[] = ["binary_tensor_data"];
