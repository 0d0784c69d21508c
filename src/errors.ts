/** Every failure lrp-keras reports on purpose: bad files, unsupported layers, bad arguments. */
export class LrpKerasError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LrpKerasError';
  }
}

/** Prefix a message with where it happened (file, layer) without losing the error type. */
export function fail(message: string): never {
  throw new LrpKerasError(message);
}
