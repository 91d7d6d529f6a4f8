import { describe, expect, it } from 'vitest';
import { type AlignedWord, type AlignmentResult, buildWords } from '../../shared/alignment.ts';
import { buildCues, negotiateFormat, renderAlignment } from '../../shared/formats/index.ts';
import type { Language } from '../../shared/languages.ts';
import { ProblemError } from '../../shared/problem.ts';
import { splitTranscript } from '../../shared/transcript.ts';
import { parseCsv, parseSrt, parseVtt } from './subtitle-parser.ts';

/** Words for `transcript` with evenly spaced times (a deterministic stand-in for an engine). */
function resultFor(
  transcript: string,
  language: Language,
  secondsPerWord = 0.4,
  gap = 0.1,
): { result: AlignmentResult; words: AlignedWord[] } {
  const units = splitTranscript(transcript, language);
  const timings = units.map((_, i) => ({
    start: i * (secondsPerWord + gap),
    end: i * (secondsPerWord + gap) + secondsPerWord,
    confidence: 0.9,
  }));
  const duration = units.length * (secondsPerWord + gap) + 0.5;
  const words = buildWords(transcript, units, timings, duration);
  return {
    words,
    result: {
      task_id: 't1',
      language,
      duration,
      engine: { name: 'test', model: 'deterministic', revision: '0' },
      words,
      cached: false,
      timing: { queue_ms: 0, compute_ms: 0 },
    },
  };
}

const ENGLISH =
  'Hello, world! This is a test of the subtitle grouping, which should break lines at a readable width. ' +
  'Short one. And then a rather long sentence that goes on and on and on, well beyond what fits on two lines of a subtitle cue.';

describe('SRT and WebVTT', () => {
  for (const format of ['srt', 'vtt'] as const) {
    it(`${format}: parses back, cues cover the words in order, text is the transcript's`, () => {
      const { result } = resultFor(ENGLISH, 'English');
      const { body, contentType } = renderAlignment(result, ENGLISH, format);
      expect(contentType).toMatch(format === 'srt' ? /^application\/x-subrip/ : /^text\/vtt/);
      const cues = format === 'srt' ? parseSrt(body) : parseVtt(body);
      expect(cues.length).toBeGreaterThan(3);
      cues.forEach((c, i) => {
        expect(c.id).toBe(String(i + 1));
        expect(c.end).toBeGreaterThan(c.start);
        if (i > 0) expect(c.start).toBeGreaterThanOrEqual(cues[i - 1]!.end);
        const lines = c.text.split('\n');
        expect(lines.length).toBeLessThanOrEqual(2);
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(42);
        expect(c.end - c.start).toBeLessThanOrEqual(7);
      });
      // Joined back, the cues are the transcript with its punctuation, whitespace collapsed.
      expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(ENGLISH);
      // Sentence punctuation ends a cue.
      expect(cues[0]!.text).toBe('Hello, world!');
      expect(cues.some((c) => c.text === 'Short one.')).toBe(true);
      // Timing: first cue starts at the first word, last ends at the last word.
      expect(cues[0]!.start).toBe(result.words[0]!.start);
      expect(cues.at(-1)!.end).toBe(result.words.at(-1)!.end);
    });
  }

  it('vtt escapes markup characters; srt keeps them', () => {
    const text = 'Tom & Jerry <3 a>b.';
    const { result } = resultFor(text, 'English');
    const vtt = renderAlignment(result, text, 'vtt').body;
    expect(vtt).toContain('Tom &amp; Jerry &lt;3 a&gt;b.');
    expect(parseVtt(vtt)[0]!.text).toBe(text);
    expect(parseSrt(renderAlignment(result, text, 'srt').body)[0]!.text).toBe(text);
  });

  it('newlines and blank lines inside the transcript never split a cue', () => {
    const text = 'First line\n\nsecond   line\r\nthird.';
    const { result } = resultFor(text, 'English');
    const cues = parseSrt(renderAlignment(result, text, 'srt').body);
    expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(
      'First line second line third.',
    );
  });

  it('CJK: no spaces added, wide characters count double, full-width punctuation ends cues', () => {
    const text =
      '今天天气很好，我们去公园散步吧。明天可能会下雨，所以要带伞。这是一个非常非常非常长的句子用来测试换行是否正确处理宽字符的显示宽度问题。';
    const { result } = resultFor(text, 'Chinese', 0.2, 0.02);
    const cues = parseVtt(renderAlignment(result, text, 'vtt').body);
    expect(cues[0]!.text).toBe('今天天气很好，我们去公园散步吧。');
    expect(cues.map((c) => c.text.replace(/\n/g, '')).join('')).toBe(text);
    for (const c of cues)
      for (const l of c.text.split('\n')) expect(Array.from(l).length).toBeLessThanOrEqual(21);
  });

  it('a long pause starts a new cue; max cue duration is honoured', () => {
    const text = 'one two three four five six seven eight';
    const { result } = resultFor(text, 'English', 0.4, 0.1);
    const words = result.words.map((w, i) =>
      i >= 4 ? { ...w, start: w.start + 3, end: w.end + 3 } : w,
    );
    const cues = buildCues(text, words);
    expect(cues.map((c) => c.lines.join(' '))).toEqual([
      'one two three four',
      'five six seven eight',
    ]);
    const short = buildCues(text, result.words, { maxCueSeconds: 1 });
    for (const c of short) expect(c.end - c.start).toBeLessThanOrEqual(1);
    expect(short.length).toBeGreaterThan(2);
  });

  it('words not found keep their text in the cue around them but give it no time', () => {
    const text = 'alpha beta gamma.';
    const { result } = resultFor(text, 'English');
    const words = result.words.map((w, i) =>
      i === 1 ? { ...w, start: 0, end: 0, status: 'not_found' as const } : w,
    );
    const cues = buildCues(text, words);
    expect(cues).toHaveLength(1);
    expect(cues[0]!.lines.join(' ')).toBe('alpha beta gamma.');
    expect(cues[0]!.start).toBe(words[0]!.start);
    const onlyMissing = buildCues(
      text,
      words.map((w) => ({ ...w, status: 'not_found' as const })),
    );
    expect(onlyMissing).toEqual([]);
  });

  it('an untimed first word joins the first timed cue; odd options still keep every word', () => {
    const text = 'uh, alpha beta.';
    const { result } = resultFor(text, 'English');
    const words = result.words.map((w, i) =>
      i === 0 ? { ...w, status: 'not_found' as const, start: 0, end: 0 } : w,
    );
    const cues = buildCues(text, words);
    expect(cues).toEqual([
      { start: words[1]!.start, end: words[2]!.end, lines: ['uh, alpha beta.'] },
    ]);
    const tiny = buildCues(text, result.words, { maxCharsPerLine: 0, maxLinesPerCue: 0 });
    expect(tiny.map((c) => c.lines.join(' '))).toEqual(['uh,', 'alpha', 'beta.']);
  });

  it('empty word list gives a valid empty document', () => {
    const { result } = resultFor('', 'English');
    expect(renderAlignment(result, '', 'vtt').body).toBe('WEBVTT\n');
    expect(parseSrt(renderAlignment(result, '', 'srt').body)).toEqual([]);
  });

  it('timestamps past an hour and rounding to the next second', () => {
    const text = 'late word';
    const { result } = resultFor(text, 'English');
    const words = [
      { ...result.words[0]!, start: 3725.0004, end: 3725.9996 },
      { ...result.words[1]!, start: 3730.5, end: 3731 },
    ];
    const srt = renderAlignment({ ...result, words }, text, 'srt').body;
    expect(srt).toContain('01:02:05,000 --> 01:02:06,000\nlate\n');
    expect(srt).toContain('01:02:10,500 --> 01:02:11,000\nword\n');
  });
});

describe('CSV', () => {
  it('RFC 4180 quoting of commas, quotes and newlines; round-trips', () => {
    const text = 'say "hi" now';
    const { result } = resultFor(text, 'English');
    const words = [
      { ...result.words[0]!, text: 'a,b' },
      { ...result.words[1]!, text: 'he said "yes"' },
      { ...result.words[2]!, text: 'line1\nline2\r\n' },
    ];
    const { body, contentType } = renderAlignment({ ...result, words }, text, 'csv');
    expect(contentType).toMatch(/^text\/csv/);
    const rows = parseCsv(body);
    expect(rows[0]).toEqual([
      'start',
      'end',
      'text',
      'confidence',
      'char_start',
      'char_end',
      'status',
    ]);
    expect(rows.slice(1).map((r) => r[2])).toEqual(['a,b', 'he said "yes"', 'line1\nline2\r\n']);
    expect(rows[1]).toEqual([
      words[0]!.start.toFixed(3),
      words[0]!.end.toFixed(3),
      'a,b',
      '0.900',
      String(words[0]!.char_start),
      String(words[0]!.char_end),
      'aligned',
    ]);
  });

  it('CJK text and an empty word list', () => {
    const text = '你好世界';
    const { result } = resultFor(text, 'Chinese');
    const rows = parseCsv(renderAlignment(result, text, 'csv').body);
    expect(rows.slice(1).map((r) => r[2])).toEqual(['你', '好', '世', '界']);
    const empty = resultFor('', 'English').result;
    expect(parseCsv(renderAlignment(empty, '', 'csv').body)).toHaveLength(1);
  });
});

describe('Praat TextGrid', () => {
  /** Reads the interval tier back: [xmin, xmax, text][]. */
  function intervals(body: string): [number, number, string][] {
    const out: [number, number, string][] = [];
    const re =
      /intervals \[\d+\]:\n\s+xmin = ([\d.]+) \n\s+xmax = ([\d.]+) \n\s+text = "((?:[^"]|"")*)" /g;
    for (const m of body.matchAll(re))
      out.push([Number(m[1]), Number(m[2]), m[3]!.replace(/""/g, '"')]);
    return out;
  }

  it('long text format; one words tier tiling 0..duration with empty gaps', () => {
    const text = 'the "quoted" word';
    const { result } = resultFor(text, 'English');
    const words = result.words.map((w, i) => (i === 1 ? { ...w, text: 'say "x"' } : w));
    const body = renderAlignment({ ...result, words }, text, 'textgrid').body;
    expect(
      body.startsWith('File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0 \n'),
    ).toBe(true);
    expect(body).toContain(`xmax = ${result.duration} `);
    expect(body).toContain('name = "words"');
    const iv = intervals(body);
    expect(body).toContain(`intervals: size = ${iv.length} `);
    expect(iv[0]![0]).toBe(0);
    expect(iv.at(-1)![1]).toBe(result.duration);
    for (let i = 0; i < iv.length; i++) {
      expect(iv[i]![1]).toBeGreaterThan(iv[i]![0]);
      if (i > 0) expect(iv[i]![0]).toBe(iv[i - 1]![1]);
    }
    expect(iv.map((x) => x[2]).filter(Boolean)).toEqual(['the', 'say "x"', 'word']);
  });

  it('skips zero-length and not-found words, clips overlaps; empty list is one empty interval', () => {
    const text = 'a b c d';
    const { result } = resultFor(text, 'English');
    const words = [
      { ...result.words[0]!, start: 0.2, end: 0.6 },
      { ...result.words[1]!, start: 0.5, end: 0.9 },
      { ...result.words[2]!, start: 1, end: 1 },
      { ...result.words[3]!, status: 'not_found' as const, start: 0, end: 0 },
    ];
    const iv = intervals(renderAlignment({ ...result, words }, text, 'textgrid').body);
    expect(iv).toEqual([
      [0, 0.2, ''],
      [0.2, 0.6, 'a'],
      [0.6, 0.9, 'b'],
      [0.9, result.duration, ''],
    ]);
    const empty = resultFor('', 'English').result;
    expect(intervals(renderAlignment(empty, '', 'textgrid').body)).toEqual([
      [0, empty.duration, ''],
    ]);
  });
});

describe('JSON', () => {
  it('is the result itself', () => {
    const { result } = resultFor('hi there', 'English');
    const { body, contentType } = renderAlignment(result, 'hi there', 'json');
    expect(contentType).toMatch(/^application\/json/);
    expect(JSON.parse(body)).toEqual(result);
  });
});

describe('negotiateFormat', () => {
  it('format parameter wins, case-insensitive, with aliases', () => {
    expect(negotiateFormat('SRT', 'text/vtt')).toBe('srt');
    expect(negotiateFormat('webvtt', null)).toBe('vtt');
    expect(negotiateFormat('TextGrid', undefined)).toBe('textgrid');
  });

  it('Accept by q-value, then order; wildcards mean JSON; missing means JSON', () => {
    expect(negotiateFormat(null, null)).toBe('json');
    expect(negotiateFormat(undefined, '')).toBe('json');
    expect(negotiateFormat(null, 'text/csv;q=0.5, text/vtt')).toBe('vtt');
    expect(negotiateFormat(null, 'application/x-subrip, text/vtt')).toBe('srt');
    expect(negotiateFormat(null, 'text/html, */*;q=0.1')).toBe('json');
    expect(negotiateFormat(null, 'TEXT/CSV; charset=utf-8')).toBe('csv');
    expect(negotiateFormat(null, 'text/x-praat-textgrid')).toBe('textgrid');
  });

  it('unknown format is 422, unacceptable Accept is 406', () => {
    const bad = (f: () => unknown, status: number) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ProblemError);
        expect((e as ProblemError).status).toBe(status);
        return;
      }
      throw new Error('did not throw');
    };
    bad(() => negotiateFormat('docx', null), 422);
    bad(() => negotiateFormat(null, 'text/html'), 406);
    bad(() => negotiateFormat(null, 'text/vtt;q=0'), 406);
  });
});
