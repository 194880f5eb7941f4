import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, freePort, ServiceProcess } from '@agent-orchestrator/testing';

/** OTLP span kinds, as numbers in OTLP/JSON. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

type AttributeValue = string | number | boolean | undefined;

/** One span the collector exported, with its resource's and scope's names flattened onto it. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  resource: Record<string, AttributeValue>;
  attributes: Record<string, AttributeValue>;
}

interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean };
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: (Omit<ExportedSpan, 'scope' | 'resource' | 'attributes'> & {
        attributes?: OtlpKeyValue[];
      })[];
    }[];
  }[];
}

function attributes(list: OtlpKeyValue[] = []): Record<string, AttributeValue> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
        value.doubleValue ??
        value.boolValue,
    ]),
  );
}

/**
 * A real OpenTelemetry Collector (otelcol-ao, built from the collector's Go modules by
 * scripts/install-test-services.sh) with an OTLP/HTTP receiver on a free port and the file
 * exporter writing every batch it receives as one OTLP/JSON line.
 */
export class OtlpCollector {
  private constructor(
    private readonly process: ServiceProcess,
    private readonly dir: string,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<OtlpCollector> {
    const binary = findOnPath('otelcol-ao');
    if (!binary) {
      throw new Error(
        'otelcol-ao is not on the PATH: run scripts/install-test-services.sh (it builds the OpenTelemetry Collector from its Go modules).',
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'ao-otelcol-'));
    const port = await freePort();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'receivers:',
        '  otlp:',
        '    protocols:',
        `      http: { endpoint: '127.0.0.1:${port}' }`,
        'exporters:',
        `  file: { path: '${join(dir, 'traces.jsonl')}', flush_interval: 100ms }`,
        'service:',
        '  telemetry: { metrics: { level: none }, logs: { level: warn } }',
        '  pipelines:',
        '    traces: { receivers: [otlp], exporters: [file] }',
        '',
      ].join('\n'),
    );
    const process = new ServiceProcess({
      name: 'otelcol-ao',
      command: binary,
      args: [`--config=${config}`],
      port,
    });
    await process.start();
    return new OtlpCollector(process, dir, `http://127.0.0.1:${port}`);
  }

  /** The raw file exporter output (to check that something never left the service). */
  text(): string {
    try {
      return readFileSync(join(this.dir, 'traces.jsonl'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Every span exported so far. */
  spans(): ExportedSpan[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim())
      .flatMap((line) =>
        ((JSON.parse(line) as OtlpExport).resourceSpans ?? []).flatMap((rs) => {
          const resource = attributes(rs.resource?.attributes);
          return (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((span) => ({
              ...span,
              parentSpanId: span.parentSpanId || undefined,
              scope: ss.scope?.name ?? '',
              resource,
              attributes: attributes(span.attributes),
            })),
          );
        }),
      );
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether `ancestor` is on the chain of parents from `span` up. */
export function descendsFrom(
  span: ExportedSpan,
  ancestor: ExportedSpan,
  all: ExportedSpan[],
): boolean {
  const byId = new Map(all.map((s) => [s.spanId, s]));
  for (let at: ExportedSpan | undefined = span; at; at = byId.get(at.parentSpanId ?? '')) {
    if (at.parentSpanId === ancestor.spanId) return true;
  }
  return false;
}
