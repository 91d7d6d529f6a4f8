import type { Cue } from './cues.ts';
import { subtitleTimestamp } from './timestamp.ts';

/** SubRip: numbered cues, `hh:mm:ss,mmm --> hh:mm:ss,mmm`, a blank line after each. */
export function renderSrt(cues: readonly Cue[]): string {
  return cues
    .map(
      (c, i) =>
        `${i + 1}\n${subtitleTimestamp(c.start, ',')} --> ${subtitleTimestamp(c.end, ',')}\n${c.lines.join('\n')}\n`,
    )
    .join('\n');
}
