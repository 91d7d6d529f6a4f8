/**
 * Every Markdown table of the section under the first heading containing `heading` (up to the
 * next heading of the same or a higher level).
 */
export function tablesIn(markdown: string, heading: string): string[][][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.includes(heading));
  if (start < 0) throw new Error(`no heading containing "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const h = /^(#+) /.exec(line);
    if (h && h[1]!.length <= level) break;
    if (line.startsWith('|')) {
      if (/^\|[\s:|-]+\|$/.test(line)) continue;
      current ??= [];
      if (current.length === 0) tables.push(current);
      current.push(
        line
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim()),
      );
    } else current = null;
  }
  if (tables.length === 0) throw new Error(`no table under "${heading}"`);
  return tables;
}

/**
 * The first Markdown table after a heading: the figures other benchmarks published in
 * docs/benchmarks.md, so a chart always shows exactly the numbers its section prints.
 */
export function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.includes(heading));
  if (start < 0) throw new Error(`no heading containing "${heading}"`);
  const rows: string[][] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('|')) {
      if (/^\|[\s:|-]+\|$/.test(line)) continue;
      rows.push(
        line
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim()),
      );
    } else if (rows.length > 0) break;
    else if (/^#+ /.test(line)) break;
  }
  if (rows.length === 0) throw new Error(`no table after "${heading}"`);
  return rows;
}

/** The first number in a cell ("12.65 / 55.8 ms" -> 12.65), or null. */
export function firstNumber(cell: string | undefined): number | null {
  const m = /-?\d+(?:\.\d+)?/.exec((cell ?? '').replace(/,/g, ''));
  return m ? Number(m[0]) : null;
}
