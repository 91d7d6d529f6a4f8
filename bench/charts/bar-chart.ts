import { document, esc, formatTick, n, PALETTE, text, ticks } from './svg.ts';

/** One row of a horizontal bar chart: a label and one value per series (null: not measured). */
export interface BarRow {
  label: string;
  values: (number | null)[];
}

export interface BarChartSpec {
  title: string;
  /** Axis caption, e.g. "ms (p50)". */
  unit: string;
  series: string[];
  rows: BarRow[];
  /** A footnote: machine and command. */
  note?: string;
}

const PLOT_W = 430;
/** Approximate width of a character at 12 px, for laying out labels without a font engine. */
const CHAR_W = 6.6;
const BAR_H = 14;
const GAP = 10;

/** Horizontal grouped bars with value labels: readable with long row labels. */
export function barChart(spec: BarChartSpec): string {
  const LABEL_W = Math.min(
    400,
    Math.max(120, 16 + CHAR_W * Math.max(...spec.rows.map((r) => r.label.length))),
  );
  const WIDTH = Math.max(LABEL_W + PLOT_W + 70, 24 + spec.title.length * 8.2);
  const plotW = PLOT_W;
  // Legend entries, wrapped to the width.
  const legend: { x: number; y: number; name: string; i: number }[] = [];
  if (spec.series.length > 1) {
    let x = LABEL_W;
    let y = 34;
    spec.series.forEach((name, i) => {
      const w = 24 + name.length * CHAR_W;
      if (x + w > WIDTH - 10 && x > LABEL_W) {
        x = LABEL_W;
        y += 16;
      }
      legend.push({ x, y, name, i });
      x += w;
    });
  }
  const legendBottom = legend.length ? legend[legend.length - 1]!.y + 14 : 36;
  const groupH = spec.series.length * BAR_H + GAP;
  const top = legendBottom + 12;
  const height = top + spec.rows.length * groupH + 52;
  const max = Math.max(
    ...spec.rows.flatMap((r) => r.values.filter((v): v is number => v !== null)),
  );
  const axis = ticks(max);
  const scale = plotW / axis[axis.length - 1]!;
  const body: string[] = [text(12, 22, spec.title, { 'font-size': 15, 'font-weight': 'bold' })];
  for (const l of legend) {
    body.push(
      `<rect x="${n(l.x)}" y="${n(l.y)}" width="10" height="10" fill="${PALETTE[l.i % PALETTE.length]}"/>`,
    );
    body.push(text(l.x + 14, l.y + 9, l.name));
  }
  const plotBottom = top + spec.rows.length * groupH;
  for (const t of axis) {
    const x = LABEL_W + t * scale;
    body.push(
      `<line x1="${n(x)}" y1="${n(top - 4)}" x2="${n(x)}" y2="${n(plotBottom)}" stroke="#e5e5e5"/>`,
    );
    body.push(text(x, plotBottom + 14, formatTick(t), { 'text-anchor': 'middle', fill: '#555' }));
  }
  body.push(
    text(LABEL_W + plotW / 2, plotBottom + 30, spec.unit, {
      'text-anchor': 'middle',
      fill: '#333',
    }),
  );
  spec.rows.forEach((row, r) => {
    const y0 = top + r * groupH;
    body.push(
      text(LABEL_W - 8, y0 + (spec.series.length * BAR_H) / 2 + 4, row.label, {
        'text-anchor': 'end',
      }),
    );
    row.values.forEach((v, i) => {
      const y = y0 + i * BAR_H;
      if (v === null) {
        body.push(
          text(LABEL_W + 4, y + BAR_H - 3, 'not measured', { fill: '#999', 'font-size': 10 }),
        );
        return;
      }
      const w = Math.max(1, v * scale);
      body.push(
        `<rect x="${LABEL_W}" y="${n(y)}" width="${n(w)}" height="${BAR_H - 2}" fill="${PALETTE[i % PALETTE.length]}"><title>${esc(`${row.label} / ${spec.series[i]}: ${v}`)}</title></rect>`,
      );
      body.push(
        text(LABEL_W + w + 4, y + BAR_H - 3, formatValue(v), { 'font-size': 10, fill: '#333' }),
      );
    });
  });
  if (spec.note) body.push(text(12, height - 8, spec.note, { 'font-size': 10, fill: '#666' }));
  return document(WIDTH, height, body);
}

function formatValue(v: number): string {
  if (v >= 100) return String(Math.round(v));
  if (v >= 10) return String(Number(v.toFixed(1)));
  return String(Math.round(v * 1000) / 1000);
}
