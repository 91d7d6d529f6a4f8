import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio, freeIdleDecoders } from '../../region-backend/audio/index.ts';
import { bestCorrelation } from './fixture-similarity.ts';

const DIR = join(import.meta.dirname, '../fixtures/audio');
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const LIMITS = { minSeconds: 0.1, maxSeconds: 600 };

/** Every committed fixture: what it is, and how long (scripts/make-audio-fixtures.sh). */
const FIXTURES = [
  ['speech-s16-16k-mono.wav', 'wav', 16000, 1, 2.0],
  ['speech-u8-8k-mono.wav', 'wav', 8000, 1, 1.0],
  ['speech-s24-22k-stereo.wav', 'wav', 22050, 2, 0.3],
  ['speech-s32-11k-mono.wav', 'wav', 11025, 1, 0.5],
  ['speech-f32-22k-mono.wav', 'wav', 22050, 1, 0.3],
  ['speech-f64-8k-mono.wav', 'wav', 8000, 1, 0.3],
  ['speech-s16-8k-5.1-extensible.wav', 'wav', 8000, 6, 0.25],
  ['speech-s24-48k-mono.wav', 'wav', 48000, 1, 0.25],
  ['speech-44k-stereo.flac', 'flac', 44100, 2, 0.5],
  ['speech-16k-mono-24bit.flac', 'flac', 16000, 1, 2.0],
  ['speech-44k-stereo.mp3', 'mp3', 44100, 2, 2.0],
  ['speech-22k-mono.mp3', 'mp3', 22050, 1, 2.0],
  ['speech-48k-mono.ogg', 'ogg-vorbis', 48000, 1, 2.0],
  ['speech-44k-stereo-vorbis.ogg', 'ogg-vorbis', 44100, 2, 2.0],
  ['speech-16k-mono.opus', 'ogg-opus', 48000, 1, 2.0],
  ['speech-48k-stereo-opus.ogg', 'ogg-opus', 48000, 2, 2.0],
] as const;

afterAll(() => freeIdleDecoders());

/** Bit-exact equality (vitest's deep equality is slow on long typed arrays). */
const sameSamples = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

describe('decodeAudio on real files of every format', async () => {
  // The reference: flite's 16 kHz speech as 16-bit WAV. Stereo fixtures carry a copy delayed
  // by 10 ms on the right, so their downmix is compared with that mix of the reference.
  const reference = (await decodeAudio(read('speech-s16-16k-mono.wav'), LIMITS)).samples;
  const referenceStereo = reference.map((v, i) => (v + (i >= 160 ? reference[i - 160]! : 0)) / 2);

  for (const [name, format, rate, channels, seconds] of FIXTURES) {
    it(`${name}: ${format}, ${rate} Hz, ${channels} ch -> 16 kHz mono matching the source speech`, async () => {
      const audio = await decodeAudio(read(name), LIMITS);
      expect(audio.sourceFormat).toBe(format);
      expect(audio.sourceSampleRate).toBe(rate);
      expect(audio.sourceChannels).toBe(channels);
      expect(audio.samples).toBeInstanceOf(Float32Array);
      expect(audio.duration).toBe(audio.samples.length / 16000);
      expect(Math.abs(audio.duration - seconds)).toBeLessThan(0.01);
      let peak = 0;
      let finite = true;
      for (const v of audio.samples) {
        finite &&= Number.isFinite(v);
        peak = Math.max(peak, Math.abs(v));
      }
      expect(finite).toBe(true);
      expect(peak).toBeLessThanOrEqual(1);
      expect(peak).toBeGreaterThan(0.1);
      const target = channels > 1 ? referenceStereo : reference;
      const { value, lag } = bestCorrelation(audio.samples, target, 80);
      // Lossless formats match almost exactly; lossy codecs and 8 kHz sources stay close.
      expect(value).toBeGreaterThan(format === 'wav' || format === 'flac' ? 0.995 : 0.98);
      expect(Math.abs(lag)).toBeLessThanOrEqual(1);
    });
  }

  it('the same file decodes identically on reused pooled decoders, also concurrently', async () => {
    for (const name of [
      'speech-44k-stereo.flac',
      'speech-44k-stereo.mp3',
      'speech-48k-mono.ogg',
      'speech-16k-mono.opus',
    ]) {
      const first = await decodeAudio(read(name), LIMITS);
      const again = await Promise.all([1, 2, 3, 4].map(() => decodeAudio(read(name), LIMITS)));
      for (const a of again) expect(sameSamples(a.samples, first.samples)).toBe(true);
    }
  });

  it('a leading ID3v2 tag is skipped for MP3 and FLAC', async () => {
    // ID3v2.4 header with a 20-byte body (sizes are 7-bit "syncsafe" bytes), body all zeros.
    const tag = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 20, ...new Array(20).fill(0)]);
    for (const [name, format] of [
      ['speech-22k-mono.mp3', 'mp3'],
      ['speech-44k-stereo.flac', 'flac'],
    ] as const) {
      const plain = await decodeAudio(read(name), LIMITS);
      const tagged = await decodeAudio(new Uint8Array([...tag, ...read(name)]), LIMITS);
      expect(tagged.sourceFormat).toBe(format);
      expect(tagged.sourceChannels).toBe(plain.sourceChannels);
      expect(sameSamples(tagged.samples, plain.samples)).toBe(true);
    }
  });

  it('the input bytes are not modified (float WAV with a peak above 1 is normalised on a copy)', async () => {
    const bytes = read('speech-f32-22k-mono.wav');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    // Scale every float sample by 4 so the peak exceeds 1; data starts after the 80-byte header.
    const dataStart = bytes.length - Math.round(0.3 * 22050) * 4;
    for (let at = dataStart; at < bytes.length; at += 4)
      view.setFloat32(at, view.getFloat32(at, true) * 4, true);
    const before = bytes.slice();
    const audio = await decodeAudio(bytes, LIMITS);
    expect(bytes).toEqual(before);
    expect(audio.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeCloseTo(1, 5);
  });
});
