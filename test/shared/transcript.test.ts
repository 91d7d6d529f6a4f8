import { describe, expect, it } from 'vitest';
import { splitTranscript } from '../../shared/transcript.ts';

describe('splitTranscript', () => {
  it('keeps letters, digits and apostrophes, with code-point offsets into the original', () => {
    const text = '"Hello," she said -- it\'s 42 e-mails!';
    const units = splitTranscript(text, 'English');
    expect(units.map((u) => u.text)).toEqual(['Hello', 'she', 'said', "it's", '42', 'emails']);
    const cps = Array.from(text);
    expect(units.map((u) => cps.slice(u.charStart, u.charEnd).join(''))).toEqual([
      'Hello',
      'she',
      'said',
      "it's",
      '42',
      'e-mails',
    ]);
  });
  it('makes every CJK ideograph its own unit, counting astral characters as one code point', () => {
    const units = splitTranscript('😀你好，world𠀀!', 'Chinese');
    expect(units.map((u) => [u.text, u.charStart, u.charEnd])).toEqual([
      ['你', 1, 2],
      ['好', 2, 3],
      ['world', 4, 9],
      ['𠀀', 9, 10],
    ]);
  });
  it('gives NFD and NFC spellings the same units', () => {
    const nfc = splitTranscript('café au lait', 'French').map((u) => u.text);
    const nfd = splitTranscript('café au lait'.normalize('NFD'), 'French').map((u) => u.text);
    expect(nfd).toEqual(nfc);
    expect(nfc[0]).toBe('café');
  });
  it('returns nothing for punctuation-only text', () => {
    expect(splitTranscript(' -- ... !! ', 'English')).toEqual([]);
  });
});
