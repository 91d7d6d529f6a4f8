import { describe, expect, it } from 'vitest';
import { LANGUAGE_NAMES, parseLanguage } from '../../shared/languages.ts';

describe('parseLanguage', () => {
  it('accepts names and ISO codes in any case', () => {
    expect(parseLanguage('English')).toBe('English');
    expect(parseLanguage('EN')).toBe('English');
    expect(parseLanguage('eng')).toBe('English');
    expect(parseLanguage('yue')).toBe('Cantonese');
    expect(parseLanguage('zh')).toBe('Chinese');
    expect(parseLanguage('cmn')).toBe('Chinese');
    expect(parseLanguage(' german ')).toBe('German');
    expect(parseLanguage('ger')).toBe('German');
  });
  it('rejects anything else', () => {
    expect(parseLanguage('Klingon')).toBeNull();
    expect(parseLanguage('')).toBeNull();
    expect(parseLanguage('e')).toBeNull();
  });
  it('knows the 11 languages', () => {
    expect(LANGUAGE_NAMES).toHaveLength(11);
  });
});
