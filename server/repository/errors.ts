/** The model repository cannot be served as it is: a bad name, path, config or model. */
export class RepositoryError extends Error {
  override readonly name = "RepositoryError";
}
