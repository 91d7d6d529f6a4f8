import { describe, expect, it } from 'vitest';
import { LANGUAGE_NAMES } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { sliceCodePoints } from '../../shared/transcript.ts';

const texts = (t: string, l: Parameters<typeof unitsFor>[1]) => unitsFor(t, l).map((u) => u.text);

describe('unitsFor', () => {
  it('Japanese: words, ideographs kept inside their word, punctuation dropped', () => {
    const units = texts('私は東京大学で日本語を勉強しています。', 'Japanese');
    expect(units).toContain('東京');
    expect(units.join('')).toBe('私は東京大学で日本語を勉強しています');
    expect(units.length).toBeGreaterThan(5);
  });
  it('Korean: particles split off stems of two or more syllables', () => {
    expect(texts('저는 학교에서 한국어를 공부합니다.', 'Korean')).toEqual([
      '저는',
      '학교',
      '에서',
      '한국어',
      '를',
      '공부합니다',
    ]);
  });
  it('Chinese and Cantonese: one unit per ideograph, Latin runs whole', () => {
    expect(texts('我爱AI和Qwen3模型', 'Chinese')).toEqual([
      '我',
      '爱',
      'AI',
      '和',
      'Qwen3',
      '模',
      '型',
    ]);
    expect(texts('佢哋好鍾意', 'Cantonese')).toEqual(['佢', '哋', '好', '鍾', '意']);
  });
  it('space-separated languages: the official whitespace rule', () => {
    expect(texts("C'est l'été, n'est-ce pas ?", 'French')).toEqual([
      "C'est",
      "l'été",
      "n'estce",
      'pas',
    ]);
    expect(texts('Привет, мир!', 'Russian')).toEqual(['Привет', 'мир']);
  });
  it('offsets point at the units in the text as sent, for every language', () => {
    const samples: Record<string, string> = {
      Japanese: '「こんにちは」と言った。',
      Korean: '안녕하세요, 여러분!',
      Chinese: '你好，世界。',
    };
    for (const lang of LANGUAGE_NAMES) {
      const text = samples[lang] ?? 'Hello, wonderful world!';
      for (const u of unitsFor(text, lang)) {
        const slice = sliceCodePoints(text, u.charStart, u.charEnd);
        expect(slice.normalize('NFC').replace(/[^\p{L}\p{N}'\p{M}]/gu, '')).toBe(u.text);
      }
    }
  });
  it('is deterministic (the edge recomputes the same units)', () => {
    const t = 'テストの文章です。もう一度テストします。';
    expect(unitsFor(t, 'Japanese')).toEqual(unitsFor(t, 'Japanese'));
  });
});
