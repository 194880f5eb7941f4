import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  port: number;
  /** How long to wait for the port to accept connections. */
  startTimeoutMs?: number;
}

/**
 * A real backing-service binary (redis-server, ferretdb, mongod) run as a child process on a
 * loopback port. It can be stopped and started again on the same port, which is how tests take
 * a dependency away and give it back.
 */
/** Children still running when this process exits are told to stop too, so none is orphaned. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

export class ServiceProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly spec: ServiceSpec) {}

  get port(): number {
    return this.spec.port;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.output = '';
    const child = spawn(this.spec.command, this.spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    child.once('exit', () => {
      running.delete(child);
      exited = true;
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + (this.spec.startTimeoutMs ?? 20_000);
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`${this.spec.name} exited during start-up:\n${this.output}`);
      }
      if (await portAccepts(this.spec.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`${this.spec.name} did not listen on port ${this.spec.port}:\n${this.output}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
