import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { LlmConfigureMessage } from '../llm-server';

/** The scripted LLM server in a child process (see llm-server.ts). */
export interface LlmProcess {
  url: string;
  pid: number;
  /** Sets the latency of every call and the pause between streamed chunks. */
  configure(latencyMs: number, chunkDelayMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLlmProcess(): Promise<LlmProcess> {
  const child: ChildProcess = fork(join(__dirname, '..', 'llm-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`LLM test server exited (${code})`)));
    child.once('message', (msg: { type: string; url: string }) => resolve(msg.url));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    pid: child.pid!,
    configure: (latencyMs, chunkDelayMs = 0) =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        const msg: LlmConfigureMessage = { type: 'configure', latencyMs, chunkDelayMs };
        child.send(msg);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
