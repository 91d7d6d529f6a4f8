/** The result formats of GET /api/tasks/:id/result and of `falign align --format`. */
export const OUTPUT_FORMATS = ['json', 'srt', 'vtt', 'textgrid', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A rendered result, ready to be a response body. */
export interface RenderedAlignment {
  body: string;
  contentType: string;
}

/** How subtitle cues (SRT, WebVTT) group words. */
export interface CueOptions {
  /** Display width of a line; CJK and other wide characters count 2. Default 42. */
  maxCharsPerLine?: number;
  /** Lines per cue. Default 2. */
  maxLinesPerCue?: number;
  /** Longest cue, seconds. Default 7. */
  maxCueSeconds?: number;
  /** A silence at least this long (seconds) between words starts a new cue. Default 1. */
  pauseSeconds?: number;
}

export type RenderOptions = CueOptions;

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  json: 'application/json; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  textgrid: 'text/x-praat-textgrid; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};
