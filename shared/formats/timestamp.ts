/**
 * hh:mm:ss<sep>mmm as subtitles write it: `,` for SRT, `.` for WebVTT. Rounded to the
 * millisecond first, so 59.9996 s becomes 00:01:00.000, never 00:00:59.1000.
 */
export function subtitleTimestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${separator}${pad(ms % 1000, 3)}`;
}
