// A runtime (Deno, Bun) serving the handler in a child process: started, its port read from the
// JSON line it prints, the request cases sent to it over HTTP, then stopped by its pid.
import { spawn } from 'node:child_process';
import { assertCases, sendHttp } from './cases.js';

export async function casesInProcess(command: string, args: string[], env: Record<string, string>, tolerance: number): Promise<void> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port within 30 s:\n${output}`)), 30_000);
      child.stdout.on('data', (d) => {
        output += d;
        const m = /\{"port":(\d+)\}/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error(`exited (${code}) before serving:\n${output}`)));
    });
    await assertCases((r) => sendHttp(`http://127.0.0.1:${port}`, r), tolerance);
  } finally {
    child.kill();
  }
}
