/** A request the server refuses: the HTTP status and a message for the `{"error": "..."}` body. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    readonly statusCode: 400 | 404 | 413 | 415 | 500 | 503 | 504,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): ProtocolError {
  return new ProtocolError(400, message);
}
