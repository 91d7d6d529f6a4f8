import { document, formatTick, n, PALETTE, text, ticks } from './svg.ts';

/** One answer on the timeline: when it was sent, how long it took, what it was. */
export interface TimelinePoint {
  sentMs: number;
  latencyMs: number;
  outcome: string;
}

export interface TimelineSpec {
  title: string;
  points: TimelinePoint[];
  events: { at: number; name: string }[];
  /** Seconds per column of the counts panel. */
  binSeconds: number;
  note?: string;
}

const WIDTH = 900;
const LEFT = 60;
const RIGHT = 300;

/** Horizontal grid lines with tick labels, and the axis caption, for a panel [top, top + h]. */
function yAxis(axis: number[], top: number, h: number, caption: string): string[] {
  const scale = h / axis[axis.length - 1]!;
  const out: string[] = [];
  for (const t of axis) {
    const y = top + h - t * scale;
    out.push(
      `<line x1="${LEFT}" y1="${n(y)}" x2="${n(WIDTH - RIGHT)}" y2="${n(y)}" stroke="#eee"/>`,
    );
    out.push(text(LEFT - 6, y + 4, formatTick(t), { 'text-anchor': 'end', fill: '#555' }));
  }
  const mid = top + h / 2;
  out.push(
    text(14, mid, caption, {
      transform: `rotate(-90 14 ${mid})`,
      'text-anchor': 'middle',
      fill: '#333',
    }),
  );
  return out;
}

/**
 * Two panels over the run's time axis: answers per bin stacked by outcome, and every answer's
 * latency at the time it was sent; the chaos events as labelled vertical lines.
 */
export function timelineChart(spec: TimelineSpec): string {
  const outcomes = [...new Set(spec.points.map((p) => p.outcome))].sort();
  const color = (o: string) => PALETTE[outcomes.indexOf(o) % PALETTE.length]!;
  const end = Math.max(...spec.points.map((p) => p.sentMs), ...spec.events.map((e) => e.at));
  const plotW = WIDTH - LEFT - RIGHT;
  const xs = (ms: number) => LEFT + (ms / end) * plotW;
  const body: string[] = [text(12, 22, spec.title, { 'font-size': 15, 'font-weight': 'bold' })];

  // Panel 1: counts per bin.
  const top1 = 50;
  const h1 = 170;
  const binMs = spec.binSeconds * 1000;
  const bins = Math.ceil(end / binMs) || 1;
  const counts = Array.from({ length: bins }, () => new Map<string, number>());
  for (const p of spec.points) {
    const b = counts[Math.min(bins - 1, Math.floor(p.sentMs / binMs))]!;
    b.set(p.outcome, (b.get(p.outcome) ?? 0) + 1);
  }
  const maxCount = Math.max(...counts.map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
  const cAxis = ticks(maxCount, 4);
  const cScale = h1 / cAxis[cAxis.length - 1]!;
  body.push(...yAxis(cAxis, top1, h1, `answers / ${spec.binSeconds} s`));
  const colW = plotW / bins;
  counts.forEach((m, i) => {
    let y = top1 + h1;
    for (const o of outcomes) {
      const c = m.get(o) ?? 0;
      if (c === 0) continue;
      const h = c * cScale;
      y -= h;
      body.push(
        `<rect x="${n(LEFT + i * colW + 0.5)}" y="${n(y)}" width="${n(Math.max(0.5, colW - 1))}" height="${n(h)}" fill="${color(o)}"/>`,
      );
    }
  });

  // Panel 2: latency of each answer at its send time.
  const top2 = top1 + h1 + 40;
  const h2 = 200;
  const maxLat = Math.max(...spec.points.map((p) => p.latencyMs)) / 1000;
  const lAxis = ticks(maxLat, 4);
  const lScale = h2 / lAxis[lAxis.length - 1]!;
  body.push(...yAxis(lAxis, top2, h2, 'latency, s'));
  for (const p of spec.points) {
    body.push(
      `<circle cx="${n(xs(p.sentMs))}" cy="${n(top2 + h2 - (p.latencyMs / 1000) * lScale)}" r="1.8" fill="${color(p.outcome)}" fill-opacity="0.7"/>`,
    );
  }

  // Time axis and events across both panels.
  const bottom = top2 + h2;
  for (const t of ticks(end / 1000, 10)) {
    const x = xs(t * 1000);
    if (x > LEFT + plotW + 1) continue;
    body.push(text(x, bottom + 14, `${formatTick(t)}`, { 'text-anchor': 'middle', fill: '#555' }));
  }
  body.push(
    text(LEFT + plotW / 2, bottom + 30, 'seconds since the load started (by send time)', {
      'text-anchor': 'middle',
      fill: '#333',
    }),
  );
  spec.events.forEach((e, i) => {
    const x = xs(e.at);
    body.push(
      `<line x1="${n(x)}" y1="${top1 - 6}" x2="${n(x)}" y2="${n(bottom)}" stroke="#444" stroke-dasharray="3,3"/>`,
    );
    body.push(
      text(x + 2, top1 - 8 + (i % 2) * 0, String(i + 1), {
        'font-size': 10,
        'font-weight': 'bold',
      }),
    );
  });

  // Legend: outcomes, then numbered events.
  let y = top1;
  for (const o of outcomes) {
    body.push(
      `<rect x="${n(WIDTH - RIGHT + 12)}" y="${n(y - 9)}" width="10" height="10" fill="${color(o)}"/>`,
    );
    body.push(text(WIDTH - RIGHT + 26, y, o, { 'font-size': 11 }));
    y += 15;
  }
  y += 10;
  spec.events.forEach((e, i) => {
    body.push(text(WIDTH - RIGHT + 12, y, `${i + 1} ${e.name}`, { 'font-size': 10 }));
    y += 13;
  });
  const height = Math.max(bottom + 58, y + 10);
  if (spec.note) body.push(text(12, height - 8, spec.note, { 'font-size': 10, fill: '#666' }));
  return document(WIDTH, height, body);
}
