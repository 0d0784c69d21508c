/** What one request may cost the server, and how many it takes on at once. */
export interface ServerLimits {
  /** Largest request body, in bytes (413 above). */
  maxBodyBytes: number;
  /** Most samples in one request (413 above). */
  maxBatch: number;
  /** Largest image, in pixels, read from its header before decoding (413 above). */
  maxImagePixels: number;
  /** Time from a request's arrival to its answer, body upload and queueing included (408 while uploading, 503 after). */
  timeoutMs: number;
  /** Explanations computed at once (they take turns between chunks of samples on one thread). */
  concurrency: number;
  /** Requests waiting for a turn; one more is answered 503 with Retry-After. */
  queue: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxBodyBytes: 16 * 2 ** 20,
  maxBatch: 16,
  maxImagePixels: 2 ** 22,
  timeoutMs: 30_000,
  concurrency: 2,
  queue: 64,
});
