import { LrpKerasError } from '../errors.js';

/**
 * What the server answers when it does not explain: a status, a stable code and a message, sent as
 * JSON `{error, message}`. Client mistakes are 4xx; 5xx is for the server's own state (busy, slow,
 * a model that failed to load) and for bugs.
 */
export class HttpError extends LrpKerasError {
  constructor(
    readonly status: 400 | 404 | 406 | 408 | 413 | 415 | 422 | 500 | 503,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, 'invalid_request', message);
export const tooLarge = (message: string): HttpError => new HttpError(413, 'payload_too_large', message);

/** Runs `parse` and reports its LrpKerasErrors as the client's mistake (400, or `status`). */
export async function asClientError<T>(parse: () => T | Promise<T>, status: 400 | 413 | 422 = 400): Promise<T> {
  try {
    return await parse();
  } catch (e) {
    if (e instanceof HttpError || !(e instanceof LrpKerasError)) throw e;
    throw new HttpError(status, status === 400 ? 'invalid_request' : status === 413 ? 'payload_too_large' : 'unprocessable', e.message);
  }
}

/** The JSON error response for anything thrown while answering; an unexpected error (a bug) is logged and answered 500 without its details. */
export function errorResponse(e: unknown): Response {
  if (!(e instanceof HttpError)) console.error('lrp-keras server: internal error:', e);
  const error = e instanceof HttpError ? e : new HttpError(500, 'internal', 'internal error');
  return Response.json({ error: error.code, message: error.message }, { status: error.status, headers: error.headers });
}
