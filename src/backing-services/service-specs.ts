import type { ServiceSpec } from './service-process';

/* How each backing-service binary is started on a loopback port with its data in `dir`. */

export function mongodSpec(binary: string, dir: string, port: number): ServiceSpec {
  return {
    name: 'mongod',
    command: binary,
    args: ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'],
    port,
  };
}

/** FerretDB v1 with its SQLite backend: a MongoDB-wire-compatible server needing nothing else. */
export function ferretdbSpec(binary: string, dir: string, port: number): ServiceSpec {
  return {
    name: 'ferretdb',
    command: binary,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    port,
  };
}

export function redisServerSpec(
  binary: string,
  dir: string,
  port: number,
  opts: { persistent: boolean },
): ServiceSpec {
  return {
    name: 'redis-server',
    command: binary,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      opts.persistent ? 'yes' : 'no',
    ],
    port,
  };
}
