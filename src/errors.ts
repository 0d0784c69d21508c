/** Every failure lrp-keras reports on purpose: bad files, unsupported layers, bad arguments. */
export class LrpKerasError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LrpKerasError';
  }
}

/** Throw an `LrpKerasError`; usable as an expression (`x ?? fail('…')`). */
export function fail(message: string): never {
  throw new LrpKerasError(message);
}

/** The end of an exhaustive switch: a value the types say cannot occur is a bug, reported as such. */
export function assertNever(value: never, what: string): never {
  throw new Error(`lrp-keras internal error: unhandled ${what} ${JSON.stringify(value)}`);
}
