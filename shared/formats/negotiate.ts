import { ProblemError } from '../problem.ts';
import { OUTPUT_FORMATS, type OutputFormat } from './types.ts';

/** Spellings of `?format=` (lower case). */
const FORMAT_NAMES: Record<string, OutputFormat> = {
  json: 'json',
  srt: 'srt',
  vtt: 'vtt',
  webvtt: 'vtt',
  textgrid: 'textgrid',
  csv: 'csv',
};

/** Media types in `Accept` (lower case, no parameters). */
const MEDIA_TYPES: Record<string, OutputFormat> = {
  'application/json': 'json',
  'application/*': 'json',
  '*/*': 'json',
  'application/x-subrip': 'srt',
  'application/srt': 'srt',
  'text/srt': 'srt',
  'text/vtt': 'vtt',
  'text/x-praat-textgrid': 'textgrid',
  'text/praat-textgrid': 'textgrid',
  'text/csv': 'csv',
};

/**
 * Picks the result format: an explicit `format` parameter wins (422 if it names none),
 * else the `Accept` header by q-value (406 if it accepts none), else JSON.
 */
export function negotiateFormat(
  formatParam: string | null | undefined,
  acceptHeader: string | null | undefined,
): OutputFormat {
  if (formatParam != null && formatParam.trim() !== '') {
    const format = FORMAT_NAMES[formatParam.trim().toLowerCase()];
    if (!format)
      throw new ProblemError(
        'validation',
        `Unknown format '${formatParam.slice(0, 40)}'; use one of ${OUTPUT_FORMATS.join(', ')}.`,
      );
    return format;
  }
  if (acceptHeader == null || acceptHeader.trim() === '') return 'json';
  const ranges = acceptHeader
    .split(',')
    .map((part, order) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { format: MEDIA_TYPES[type], quality: Number.isFinite(quality) ? quality : 0, order };
    })
    .filter((r) => r.format !== undefined && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.order - b.order);
  const best = ranges[0]?.format;
  if (!best)
    throw new ProblemError(
      'notAcceptable',
      `None of the accepted media types can be served; available: application/json, application/x-subrip, text/vtt, text/x-praat-textgrid, text/csv (or ?format=${OUTPUT_FORMATS.join('|')}).`,
    );
  return best;
}
