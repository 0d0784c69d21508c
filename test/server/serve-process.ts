// `lrp-keras serve` as a child process: started with flags, its URL read from its first line, its
// resident memory read from /proc (Linux; undefined elsewhere).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures.js';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Resident set size in MiB, from /proc. */
  rssMiB(): number | undefined;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'build/src/cli/main.js'), 'serve', ...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { stdout, stderr } = child;
  let text = '';
  stdout.on('data', (d) => (text += d));
  stderr.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lrp-keras serve did not start within 20 s:\n${text}`)), 20_000);
    const look = (): void => {
      const url = /serving .* on (http:\/\/\S+)/.exec(text)?.[1];
      if (!url) return;
      clearTimeout(timer);
      stdout.off('data', look);
      const status = `/proc/${child.pid}/status`;
      resolve({
        child,
        url,
        exited,
        output: () => text,
        rssMiB: () => (existsSync(status) ? Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))?.[1]) / 1024 : undefined),
      });
    };
    stdout.on('data', look);
    exited.then((code) => reject(new Error(`lrp-keras serve exited (${code}) before serving:\n${text}`)));
  });
}
