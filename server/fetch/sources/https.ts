import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { get } from "node:https";
import { rootCertificates } from "node:tls";
import {
  FETCH_ERROR_CODES,
  FetchError,
  invalidRequest,
  isTransientNetworkError,
  isTransientStatus,
} from "../errors";
import { redact } from "../request";
import type { OpenedSource } from "./source";

/** Options of the `https://` source. */
export interface HttpsSourceOptions {
  /**
   * PEM certificates trusted in addition to Node.js's bundled Mozilla roots (and `NODE_EXTRA_CA_CERTS`),
   * e.g. a private CA in front of an internal model store.
   * @default - only the bundled roots and `NODE_EXTRA_CA_CERTS`
   */
  readonly extraCaPem?: string;
  /**
   * Abandon (and retry) a connection that sends nothing for this long.
   * @default 60_000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Redirects followed (to https only), e.g. from a release page to a CDN.
   * @default 5
   */
  readonly maxRedirects?: number;
}

/** TLS failures that no retry fixes: the peer's certificate is not trusted or does not match. */
const TLS_VERIFY_CODES = /^(CERT_|ERR_TLS_CERT|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT)/;

/** Whether `error` is a TLS certificate verification failure (untrusted, expired, wrong name). */
export function isTlsVerificationError(error: unknown): boolean {
  return TLS_VERIFY_CODES.test((error as NodeJS.ErrnoException | undefined)?.code ?? "");
}

/**
 * The trust store for `--ca-file`: the bundled roots, the `NODE_EXTRA_CA_CERTS` file if any, and the
 * given PEM file. Throws a clear error when the file holds no valid certificate.
 */
export function loadExtraCa(caFile: string): string {
  let pem: string;
  try {
    pem = readFileSync(caFile, "utf8");
  } catch (error) {
    throw invalidRequest(
      `ca file ${caFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw invalidRequest(
      `ca file ${caFile} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----")`,
    );
  }
  return pem;
}

/** Node.js's default trust plus `extraCaPem`: passing `ca` to TLS replaces the defaults, so rebuild them. */
export function trustedCas(extraCaPem: string): string[] {
  const cas = [...rootCertificates];
  const nodeExtra = process.env.NODE_EXTRA_CA_CERTS;
  if (nodeExtra) {
    try {
      cas.push(readFileSync(nodeExtra, "utf8"));
    } catch {
      // Node.js itself warns at startup when NODE_EXTRA_CA_CERTS cannot be read.
    }
  }
  cas.push(extraCaPem);
  return cas;
}

/** Opens an `https://` URI with TLS verified, following redirects to https only. */
export function openHttps(options: HttpsSourceOptions = {}) {
  const ca = options.extraCaPem === undefined ? undefined : trustedCas(options.extraCaPem);
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const maxRedirects = options.maxRedirects ?? 5;

  const request = (uri: URL, signal: AbortSignal): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = get(uri, {
        ...(ca === undefined ? {} : { ca }),
        // One connection per request: nothing pooled holds the process open after the fetch.
        agent: false,
        signal,
        timeout: idleTimeoutMs,
        headers: { "user-agent": "onnxfleet-server-fetch", "accept-encoding": "identity" },
      });
      req.on("timeout", () => {
        const error = Object.assign(new Error(`no data for ${idleTimeoutMs} ms`), { code: "ETIMEDOUT" });
        req.destroy(error);
      });
      req.on("response", resolve);
      req.on("error", (error) => reject(classifyRequestError(uri, error)));
    });

  return async function open(uri: URL, signal: AbortSignal): Promise<OpenedSource> {
    let current = uri;
    for (let redirects = 0; ; redirects++) {
      const response = await request(current, signal);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        const length = Number(response.headers["content-length"]);
        return { body: response, sizeBytes: Number.isFinite(length) ? length : undefined };
      }
      response.resume();
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        const next = new URL(location, current);
        if (next.protocol !== "https:") {
          throw new FetchError(
            FETCH_ERROR_CODES.SOURCE_REFUSED,
            `${redact(current)} redirects to ${redact(next)}: only https redirects are followed`,
          );
        }
        if (redirects >= maxRedirects) {
          throw new FetchError(
            FETCH_ERROR_CODES.SOURCE_REFUSED,
            `${redact(uri)}: more than ${maxRedirects} redirects`,
          );
        }
        current = next;
        continue;
      }
      const code = isTransientStatus(status) ? FETCH_ERROR_CODES.TRANSIENT : FETCH_ERROR_CODES.SOURCE_REFUSED;
      throw new FetchError(
        code,
        `GET ${redact(current)} answered ${status} ${response.statusMessage ?? ""}`.trim(),
      );
    }
  };
}

function classifyRequestError(uri: URL, error: Error): FetchError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (isTlsVerificationError(error)) {
    return new FetchError(
      FETCH_ERROR_CODES.SOURCE_REFUSED,
      `TLS verification of ${uri.host} failed (${code}: ${error.message}); if it uses a private CA, pass its certificate with --ca-file`,
      { cause: error },
    );
  }
  const kind = isTransientNetworkError(error)
    ? FETCH_ERROR_CODES.TRANSIENT
    : FETCH_ERROR_CODES.SOURCE_REFUSED;
  return new FetchError(kind, `GET ${redact(uri)} failed: ${code ? `${code}: ` : ""}${error.message}`, {
    cause: error,
  });
}
