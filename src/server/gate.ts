import { HttpError } from './http-error.js';

/**
 * A concurrency limit with a bounded queue: `concurrency` holders at once, `queue` waiting, and a 503
 * with Retry-After (the expected wait, from recent holding times) for anyone beyond. Waiting ends at
 * the request's deadline.
 */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Moving average of how long a holder keeps its turn, in ms. */
  private averageMs = 100;

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  /** Seconds until a new request would likely get a turn (at least 1). */
  retryAfter(): number {
    return Math.max(1, Math.ceil(((this.waiting.length + 1) * this.averageMs) / this.concurrency / 1000));
  }

  /** Waits for a turn until `deadline` (ms since epoch); returns the function that gives it back. */
  async acquire(deadline: number): Promise<() => void> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new HttpError(
          503,
          'overloaded',
          `the server is busy (${this.running} explaining, ${this.waiting.length} waiting); retry later`,
          { 'Retry-After': String(this.retryAfter()) },
        );
      }
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(
          () => {
            this.waiting.splice(this.waiting.indexOf(turn), 1);
            reject(
              new HttpError(503, 'timeout', 'the request timed out waiting for a turn; retry later', {
                'Retry-After': String(this.retryAfter()),
              }),
            );
          },
          Math.max(0, deadline - Date.now()),
        );
        this.waiting.push(turn);
      });
    } else {
      this.running++;
    }
    const start = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.averageMs = 0.8 * this.averageMs + 0.2 * (Date.now() - start);
      const next = this.waiting.shift();
      if (next)
        next(); // the turn passes on; `running` stays
      else this.running--;
    };
  }
}
