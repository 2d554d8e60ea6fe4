/**
 * Counters and gauges rendered in Prometheus text format. Labels carry no tenant or venue ids:
 * `/metrics` is for operators and tells nothing about anyone's business.
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();

  increment(
    name: string,
    help: string,
    labels: Readonly<Record<string, string>> = {},
    by = 1,
  ): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = { help, values: new Map() };
      this.counters.set(name, counter);
    }
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of [...this.counters].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of [...values].sort(([a], [b]) => a.localeCompare(b)))
        lines.push(`${name}${labels} ${value}`);
    }
    for (const [name, { help, read }] of [...this.gauges].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map(
      (k) =>
        `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    );
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}
