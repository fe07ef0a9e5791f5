export { FETCH_EXIT_FAILED, FETCH_EXIT_OK, FETCH_EXIT_USAGE, FETCH_USAGE, fetchMain } from "./cli";
export { isSha256Hex, normalizeSha256, sha256File, verifySha256File } from "./digest";
export { FETCH_ERROR_CODES, FetchError, type FetchErrorCode } from "./errors";
export { type FetchOptions, type FetchResult, fetchModel, fetchModels } from "./fetch";
export { parseManifest, readManifest } from "./manifest";
export { FETCH_SCHEMES, type FetchRequest, type FetchScheme } from "./request";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
export type { HttpsSourceOptions } from "./sources/https";
export type { S3SourceOptions } from "./sources/s3";
