/// <reference types="node" />

/**
 * A one-line progress bar on stderr, redrawn in place. Only on a terminal and only for work worth
 * waiting for, so that logs and pipes stay clean; stdout (results, --json) is never touched.
 */
export function progressBar(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): { update(done: number): void; end(): void } {
  const shown = stream.isTTY === true && total >= 8;
  const width = 30;
  const started = Date.now();
  let drawn = false;
  return {
    update(done) {
      if (!shown) return;
      const filled = Math.round((width * done) / total);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${seconds}s`);
      drawn = true;
    },
    end() {
      // Clear the line so that what follows starts clean.
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
