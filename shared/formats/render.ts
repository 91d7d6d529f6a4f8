import type { AlignmentResult } from '../alignment.ts';
import { renderCsv } from './csv.ts';
import { buildCues } from './cues.ts';
import { renderSrt } from './srt.ts';
import { renderTextGrid } from './textgrid.ts';
import {
  CONTENT_TYPES,
  type OutputFormat,
  type RenderedAlignment,
  type RenderOptions,
} from './types.ts';
import { renderVtt } from './vtt.ts';

/**
 * Renders a result in `format`. `transcript` is the text exactly as the client sent it: the
 * words' char offsets point into it, and subtitle cues show it with its punctuation.
 */
export function renderAlignment(
  result: AlignmentResult,
  transcript: string,
  format: OutputFormat,
  options: RenderOptions = {},
): RenderedAlignment {
  const contentType = CONTENT_TYPES[format];
  switch (format) {
    case 'json':
      return { body: JSON.stringify(result), contentType };
    case 'srt':
      return { body: renderSrt(buildCues(transcript, result.words, options)), contentType };
    case 'vtt':
      return { body: renderVtt(buildCues(transcript, result.words, options)), contentType };
    case 'textgrid':
      return { body: renderTextGrid(result.words, result.duration), contentType };
    case 'csv':
      return { body: renderCsv(result.words), contentType };
  }
}
