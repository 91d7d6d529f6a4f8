import type { Cue } from './cues.ts';
import { subtitleTimestamp } from './timestamp.ts';

/** Cue text is parsed for tags and entities: escape the three characters that start them. */
const escapeCueText = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** WebVTT: the `WEBVTT` header, then numbered cues with `hh:mm:ss.mmm` timestamps. */
export function renderVtt(cues: readonly Cue[]): string {
  const body = cues
    .map(
      (c, i) =>
        `${i + 1}\n${subtitleTimestamp(c.start, '.')} --> ${subtitleTimestamp(c.end, '.')}\n${c.lines.map(escapeCueText).join('\n')}\n`,
    )
    .join('\n');
  return body ? `WEBVTT\n\n${body}` : 'WEBVTT\n';
}
