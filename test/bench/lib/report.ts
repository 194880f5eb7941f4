import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { round } from './stats';

/** The repository root: benchmarks run from it (npm run bench) and write bench-results/ there. */
export const REPO_ROOT = resolve(process.cwd());
export const RESULTS_DIR = join(REPO_ROOT, 'bench-results');

export interface GoalCheck {
  goal: string;
  value: number | string;
  pass: boolean;
}

export interface TableRow {
  metric: string;
  service: number | string;
  reference?: number | string;
  ratio?: number | string;
  goal?: string;
  verdict?: 'pass' | 'FAIL' | '';
}

/** Prints a fixed-width table: metric | service | floor/ideal | ratio | goal | verdict. */
export function printTable(title: string, referenceName: string, rows: TableRow[]): void {
  const header = ['metric', 'service', referenceName, 'ratio', 'goal', 'verdict'];
  const cells = rows.map((r) => [
    r.metric,
    fmt(r.service),
    fmt(r.reference),
    fmt(r.ratio),
    r.goal ?? '',
    r.verdict ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (cols: string[]): string =>
    `| ${cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [
    '',
    `## ${title}`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
  ];
  console.log(out.join('\n'));
}

function fmt(value: number | string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return String(round(value, abs >= 100 ? 0 : abs >= 10 ? 1 : 2));
}

export function verdict(pass: boolean): 'pass' | 'FAIL' {
  return pass ? 'pass' : 'FAIL';
}

/** Machine-wide busy CPU time in ms (all cores), from /proc/stat. */
export function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  // user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = cpu.map(Number);
  return ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / 100;
}

export interface Conditions {
  at: string;
  host_cpus: number;
  cpu_model: string;
  loadavg_1m_before: number;
  loadavg_5m_before: number;
  node: string;
  redis: string;
  database: string;
  git_commit: string;
  git_dirty_files: number;
}

function quiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function captureConditions(database: string): Conditions {
  const [l1, l5] = loadavg();
  const status = quiet('git', ['status', '--porcelain']);
  return {
    at: new Date().toISOString(),
    host_cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    loadavg_1m_before: round(l1, 2),
    loadavg_5m_before: round(l5, 2),
    node: process.version,
    redis: quiet('redis-server', ['--version']).replace(/^Redis server /, ''),
    database,
    git_commit: quiet('git', ['rev-parse', '--short', 'HEAD']),
    git_dirty_files: status === 'unknown' || status === '' ? 0 : status.split('\n').length,
  };
}

/**
 * Waits (up to `maxWaitMs`) for the 1-minute load average to drop below `threshold`, so a
 * benchmark does not start while another suite is running. Returns the load it started at.
 */
export async function waitForQuietMachine(
  threshold: number,
  maxWaitMs: number,
  log: (line: string) => void,
): Promise<{ load1: number; waitedMs: number }> {
  const started = Date.now();
  let announced = false;
  for (;;) {
    const load1 = loadavg()[0];
    const waited = Date.now() - started;
    if (load1 < threshold || waited >= maxWaitMs) {
      if (load1 >= threshold)
        log(`load ${load1.toFixed(2)} still ≥ ${threshold} after ${waited} ms: measuring anyway`);
      return { load1: round(load1, 2), waitedMs: waited };
    }
    if (!announced) {
      log(`load ${load1.toFixed(2)} ≥ ${threshold}: waiting up to ${maxWaitMs / 1000} s`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Writes bench-results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(RESULTS_DIR, `${name}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
