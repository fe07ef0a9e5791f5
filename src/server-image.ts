/**
 * The onnxfleet-server image a ModelService runs unless `image` says otherwise, pinned by digest: a tag can
 * be moved to other content after a deployment was reviewed, a digest names exactly one image, so every
 * node (and every rollback) runs the bytes that were tested.
 *
 * The release workflow pushes `ghcr.io/onnxfleet/onnxfleet-server:<VERSION>` and then writes the pushed
 * manifest's digest into {@link SERVER_IMAGE_DIGEST} (this one line, nowhere else) before the package is
 * published. Until the first release it holds the all-zero digest, which names no image: a cluster refuses
 * to pull it rather than run something unreviewed.
 */
import { VERSION } from "./version";

/** Registry and repository of the published server image. */
export const SERVER_IMAGE_REPOSITORY = "ghcr.io/onnxfleet/onnxfleet-server";

/** sha256 digest of the image manifest published for {@link VERSION}; written by the release workflow. */
export const SERVER_IMAGE_DIGEST = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/** `sha256:` and 64 lowercase hex digits: the only digest form the constructs accept. */
export const IMAGE_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * The default image reference: `<repository>:<VERSION>@<digest>`. The tag is for people reading the
 * manifest; the runtime pulls by the digest alone.
 */
export function defaultServerImage(): string {
  return `${SERVER_IMAGE_REPOSITORY}:${VERSION}@${SERVER_IMAGE_DIGEST}`;
}
