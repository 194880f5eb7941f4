import { machineBusyMs } from './report';
import { cpuMs, treeCpuMs } from './procfs';
import { round } from './stats';

/**
 * CPU time spent by each named process (tree) over a measured window, plus what the rest of the
 * machine used meanwhile ("other": other engineers' test suites, say), as shares of one core.
 */
export class CpuMeter {
  private readonly start = new Map<string, number>();
  private machineStart = 0;
  private startedAt = 0;

  constructor(private readonly roots: Record<string, number | number[] | undefined>) {}

  private read(name: string): number {
    const root = this.roots[name];
    if (root === undefined) return 0;
    const roots = Array.isArray(root) ? root : [root];
    return roots.reduce((sum, pid) => sum + (name === 'bench' ? cpuMs(pid) : treeCpuMs(pid)), 0);
  }

  begin(): void {
    this.startedAt = Date.now();
    this.machineStart = machineBusyMs();
    for (const name of Object.keys(this.roots)) this.start.set(name, this.read(name));
  }

  /** Cores used by each process over the window (1.0 = one core busy all the time). */
  end(): Record<string, number> {
    return this.endWithMs().cores;
  }

  /** Cores, and the CPU milliseconds behind them (per process, `other` and `machine`). */
  endWithMs(): { cores: Record<string, number>; ms: Record<string, number>; wallMs: number } {
    const wallMs = Math.max(1, Date.now() - this.startedAt);
    const ms: Record<string, number> = {};
    let ours = 0;
    for (const name of Object.keys(this.roots)) {
      const used = this.read(name) - (this.start.get(name) ?? 0);
      ours += used;
      ms[name] = used;
    }
    const machine = machineBusyMs() - this.machineStart;
    ms.other = Math.max(0, machine - ours);
    ms.machine = machine;
    const cores = Object.fromEntries(
      Object.entries(ms).map(([name, used]) => [name, round(used / wallMs, 2)]),
    );
    return { cores, ms, wallMs };
  }
}

/** "api 0.93, db 0.71, …" for a log line. */
export function formatCores(cores: Record<string, number>): string {
  return Object.entries(cores)
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ');
}
