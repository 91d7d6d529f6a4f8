import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATE_OPTIONS,
  moveOutOfLongPauses,
} from '../../region-backend/engines/dtw/align.ts';

/** A speech mask (10 ms frames) from [from, to) runs of speech. */
function mask(length: number, runs: Array<[number, number]>): Uint8Array {
  const m = new Uint8Array(length);
  for (const [a, b] of runs) m.fill(1, a, b);
  return m;
}

const options = DEFAULT_TEMPLATE_OPTIONS;

describe('moveOutOfLongPauses', () => {
  it('moves a short word squeezed into the start of a long pause to the speech after it', () => {
    // "...pleasure." ends at 100, a 1.3 s pause, "The birch" from 230.
    const speech = mask(300, [
      [50, 100],
      [230, 280],
    ]);
    const starts = [50, 100, 228];
    const ends = [100, 101, 280];
    // Template widths: "pleasure." 50, "The" 10, "birch" 40.
    moveOutOfLongPauses(starts, ends, [50, 10, 40], speech, options);
    expect(starts[0]).toBe(50);
    expect(ends[0]).toBe(100);
    expect(starts[1]).toBe(230 - options.pauseKeepFrames);
    // "The" and "birch" share the speech after the pause by template length (1:4).
    expect(ends[1]).toBeCloseTo(229 + 51 / 5, 5);
    expect(starts[2]).toBe(ends[1]);
    expect(ends[2]).toBe(280);
  });

  it('cuts a word stretched across a long pause at the pause, the rest to its neighbour', () => {
    // "planks." speech 100-145, pause to 215, "Glue" 215-245; planks mapped to 100-225.
    const speech = mask(300, [
      [100, 145],
      [215, 245],
    ]);
    const starts = [100, 225];
    const ends = [225, 245];
    moveOutOfLongPauses(starts, ends, [45, 30], speech, options);
    expect(ends[0]).toBe(145 + options.pauseKeepFrames);
    expect(starts[1]).toBe(215 - options.pauseKeepFrames);
    expect(ends[1]).toBe(245);
  });

  it("follows the template's own pause when the speech either side is as long", () => {
    // "spring." tail 100-115, pause, "Kick" 215-230; Kick mapped to 100-230. The template
    // paused before "Kick" (a sentence end), not after it: Kick is the speech after the pause.
    const speech = mask(300, [
      [60, 115],
      [215, 230],
      [232, 260],
    ]);
    const starts = [60, 100, 230];
    const ends = [100, 230, 260];
    moveOutOfLongPauses(starts, ends, [40, 15, 28], speech, options, [0, 1, 0]);
    expect(starts[1]).toBe(215 - options.pauseKeepFrames);
    expect(ends[0]).toBe(115 + options.pauseKeepFrames);
    // Without that evidence the tie goes to the left side.
    const starts2 = [60, 100, 230];
    const ends2 = [100, 230, 260];
    moveOutOfLongPauses(starts2, ends2, [40, 15, 28], speech, options);
    expect(ends2[1]).toBe(115 + options.pauseKeepFrames);
  });

  it('leaves words alone around short pauses (stop closures, commas)', () => {
    const speech = mask(200, [
      [10, 60],
      [70, 120],
    ]);
    const starts = [10, 40];
    const ends = [40, 120];
    moveOutOfLongPauses(starts, ends, [30, 80], speech, options);
    expect(starts).toEqual([10, 40]);
    expect(ends).toEqual([40, 120]);
  });
});
