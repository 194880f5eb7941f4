import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const BUILT_APP = resolve(__dirname, '../../../../dist/main.js');

export interface SpawnedApp {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal) once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until GET url answers 2xx, or the process dies. */
  waitForHttp(url: string, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs the built app (`node dist/main.js`) as a child process, as production does. */
export function spawnApp(args: string[], env: Record<string, string | undefined>): SpawnedApp {
  if (!existsSync(BUILT_APP))
    throw new Error(`${BUILT_APP} is missing: run npm run build first (npm test does).`);
  const child = spawn(process.execPath, [BUILT_APP, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let dead = false;
  void exited.then(() => (dead = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForHttp: async (url, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (dead)
          throw new Error(`The app exited before answering ${url}:\n${err}\n${out.slice(-2000)}`);
        try {
          const res = await fetch(url);
          if (res.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `The app did not answer ${url} within ${timeoutMs} ms:\n${err}\n${out.slice(-2000)}`,
      );
    },
  };
}
