import { Agent } from "node:https";
import type { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { FETCH_ERROR_CODES, FetchError, isTransientNetworkError, isTransientStatus } from "../errors";
import { isTlsVerificationError, trustedCas } from "./https";
import type { OpenedSource } from "./source";

/** Options of the `s3://` source. Credentials always come from the AWS SDK's default chain. */
export interface S3SourceOptions {
  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph, R2, ...), e.g. `https://minio.storage:9000`.
   * @default - AWS S3 (or the SDK's own `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` when set)
   */
  readonly endpoint?: string;
  /**
   * Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most S3-compatible stores).
   * @default false
   */
  readonly forcePathStyle?: boolean;
  /**
   * Region of the bucket. A wrong region is corrected by following S3's redirect.
   * @default - `AWS_REGION`, then `AWS_DEFAULT_REGION`, then "us-east-1"
   */
  readonly region?: string;
  /**
   * PEM certificates trusted in addition to the bundled roots, for an endpoint behind a private CA.
   * @default - only the bundled roots and `NODE_EXTRA_CA_CERTS`
   */
  readonly extraCaPem?: string;
}

/** S3 error names that mean "slow down" or "try later" whatever their status code. */
const TRANSIENT_S3_ERRORS = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "InternalError",
  "ServiceUnavailable",
  "TimeoutError",
  "CredentialsProviderError",
]);

interface SdkError extends Error {
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly Code?: string;
}

/**
 * Opens `s3://bucket/key` with `GetObject` (`open`); `close` releases the client. The SDK's own retries are off (`maxAttempts: 1`) so that the
 * fetch's retry policy, with its logging, is the only one.
 */
export function openS3(options: S3SourceOptions = {}) {
  let client: S3Client | undefined;
  const clientOnce = (): S3Client => {
    client ??= new S3Client({
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      followRegionRedirects: true,
      maxAttempts: 1,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.extraCaPem === undefined
        ? {}
        : {
            requestHandler: {
              httpsAgent: new Agent({ keepAlive: true, ca: trustedCas(options.extraCaPem) }),
            },
          }),
    });
    return client;
  };

  const open = async (uri: URL, signal: AbortSignal): Promise<OpenedSource> => {
    const bucket = decodeURIComponent(uri.hostname);
    const key = decodeURIComponent(uri.pathname.slice(1));
    try {
      const output = await clientOnce().send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      if (output.Body === undefined) {
        throw new FetchError(
          FETCH_ERROR_CODES.TRANSIENT,
          `s3://${bucket}/${key}: GetObject returned no body`,
        );
      }
      return { body: output.Body as Readable, sizeBytes: output.ContentLength };
    } catch (error) {
      throw classifyS3Error(`s3://${bucket}/${key}`, error);
    }
  };
  /** Closes the client's sockets, so that a finished fetch does not hold the process open. */
  const close = (): void => {
    client?.destroy();
    client = undefined;
  };
  return { open, close };
}

function classifyS3Error(where: string, error: unknown): FetchError {
  if (error instanceof FetchError) return error;
  const sdkError = error as SdkError;
  const status = sdkError.$metadata?.httpStatusCode;
  const name = sdkError.name ?? "Error";
  const transient =
    (status !== undefined && isTransientStatus(status)) ||
    TRANSIENT_S3_ERRORS.has(name) ||
    (status === undefined && isTransientNetworkError(error));
  const detail = `${name}${status === undefined ? "" : ` (${status})`}: ${sdkError.message}`;
  const hint = isTlsVerificationError(error)
    ? "; if the endpoint uses a private CA, pass its certificate with --ca-file"
    : status === 403
      ? "; check the pod's IAM role (EKS Pod Identity or IRSA) allows s3:GetObject on this key"
      : name === "CredentialsProviderError"
        ? "; no AWS credentials found (EKS Pod Identity, IRSA, environment or profile)"
        : "";
  return new FetchError(
    transient ? FETCH_ERROR_CODES.TRANSIENT : FETCH_ERROR_CODES.SOURCE_REFUSED,
    `GetObject ${where} failed: ${detail}${hint}`,
    { cause: error },
  );
}
