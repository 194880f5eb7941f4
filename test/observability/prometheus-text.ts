import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

/**
 * A /metrics body read with a real Prometheus text parser (which throws on an invalid line).
 * The parser merges the series of a labelled histogram into one and drops their labels, so
 * histogram series are read from their `_count` sample lines instead.
 */
export class PrometheusText {
  readonly families: Map<string, PrometheusFamily>;

  constructor(readonly text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  }

  family(name: string): PrometheusFamily {
    const family = this.families.get(name);
    if (!family) throw new Error(`metric ${name} is not exposed`);
    return family;
  }

  /** The value of the counter or gauge series whose labels include `labels` (0 when absent). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.series(name)
      .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  }

  /** Every series of a counter or gauge, with its labels. */
  series(name: string): { labels: Record<string, string>; value: number }[] {
    const family = this.families.get(name);
    if (!family) return [];
    return family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
  }

  /** The observation count of each series of a histogram, with its labels. */
  histogramCounts(name: string): { labels: Record<string, string>; count: number }[] {
    const line = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`);
    return this.text.split('\n').flatMap((text) => {
      const match = line.exec(text);
      if (!match) return [];
      const labels: Record<string, string> = {};
      for (const pair of (match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]] = pair[2];
      }
      return [{ labels, count: Number(match[2]) }];
    });
  }

  histogramCount(name: string, labels: Record<string, string>): number {
    return this.histogramCounts(name)
      .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.count, 0);
  }
}
