/**
 * A plain-text table for a benchmark's report: a header, a rule, the rows; columns padded to
 * their widest cell, left-aligned where `left` lists them (text), right-aligned otherwise
 * (numbers).
 *
 * @example
 * textTable(['measure', 'p99'], [['fan-out', '11.9 ms']], [0]);
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: readonly number[] = header.map((_, i) => i),
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        left.includes(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
