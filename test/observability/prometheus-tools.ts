import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from '@agent-orchestrator/testing';

export const PROMETHEUS_DIR = resolve(__dirname, '../../docker/prometheus');
export const ALERTS_FILE = resolve(PROMETHEUS_DIR, 'alerts.yml');
export const ALERT_TESTS_FILE = resolve(PROMETHEUS_DIR, 'alerts.test.yml');
export const DASHBOARD_FILE = resolve(
  __dirname,
  '../../docker/grafana/dashboards/agent-orchestrator.json',
);

const MISSING =
  'is not on the PATH: install Debian’s prometheus package (scripts/install-test-services.sh does).';

/** The path of Debian's `prometheus` or `promtool`; the suite fails, never skips, without them. */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  const found = findOnPath(name);
  if (!found) throw new Error(`${name} ${MISSING}`);
  return found;
}

/** Runs promtool; resolves with its output whatever the exit code. */
export async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(prometheusBinary('promtool'), args);
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw err;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
