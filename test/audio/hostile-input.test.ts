import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio, freeIdleDecoders } from '../../region-backend/audio/index.ts';
import { idleDecoderCount } from '../../region-backend/audio/wasm-decoder-pool.ts';
import { ProblemError } from '../../shared/problem.ts';
import { expectProblem } from './expect-problem.ts';
import { buildWav, seededBytes, tone } from './wav-builder.ts';

const DIR = join(import.meta.dirname, '../fixtures/audio');
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const LIMITS = { minSeconds: 0.1, maxSeconds: 60 };
const second = () =>
  buildWav({ channels: [tone(440, 16000, 1)], sampleRate: 16000, format: 's16' });

/** A copy of `bytes` with [from, to) of it overwritten by seeded random bytes. */
function garble(bytes: Uint8Array, from: number, to: number, seed = 7): Uint8Array {
  const out = bytes.slice();
  out.set(seededBytes(to - from, seed), from);
  return out;
}

afterAll(() => freeIdleDecoders());

describe('hostile and broken input: always a specific 4xx ProblemError', () => {
  it('empty input is 400', async () => {
    const p = await expectProblem(decodeAudio(new Uint8Array(0), LIMITS), 'invalidAudio');
    expect(p.message).toMatch(/empty/);
  });

  it('random bytes of many sizes are 415 (format sniffed from the bytes)', async () => {
    for (const [size, seed] of [
      [1, 1],
      [3, 2],
      [44, 3],
      [1000, 4],
      [100_000, 5],
    ] as const) {
      const p = await expectProblem(
        decodeAudio(seededBytes(size, seed), LIMITS),
        'unsupportedMediaType',
      );
      expect(p.status).toBe(415);
    }
  });

  it('other containers are 415 with a hint', async () => {
    const riffAvi = new TextEncoder().encode('RIFF\x10\x00\x00\x00AVI LIST');
    expect(
      (await expectProblem(decodeAudio(riffAvi, LIMITS), 'unsupportedMediaType')).message,
    ).toMatch(/not WAVE/);
    const m4a = new TextEncoder().encode('\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00');
    expect((await expectProblem(decodeAudio(m4a, LIMITS), 'unsupportedMediaType')).message).toMatch(
      /MP4/,
    );
    const oggFlac = new Uint8Array(64);
    oggFlac.set(new TextEncoder().encode('OggS'));
    oggFlac[26] = 1;
    oggFlac[27] = 30;
    oggFlac.set(new TextEncoder().encode('\x7fFLAC'), 28);
    expect(
      (await expectProblem(decodeAudio(oggFlac, LIMITS), 'unsupportedMediaType')).message,
    ).toMatch(/FLAC inside Ogg/);
  });

  it('every truncation of a WAV header is a 4xx, never a crash', async () => {
    const wav = second();
    for (let cut = 1; cut <= 60; cut++) {
      try {
        await decodeAudio(wav.subarray(0, cut), LIMITS);
        throw new Error(`prefix of ${cut} bytes decoded`);
      } catch (e) {
        expect(e, `prefix ${cut}`).toBeInstanceOf(ProblemError);
        const code = (e as ProblemError).code;
        expect(['invalidAudio', 'unsupportedMediaType', 'audioTooShort']).toContain(code);
      }
    }
    // A cut inside the data keeps what is there.
    const half = await decodeAudio(wav.subarray(0, 44 + 16000), LIMITS);
    expect(half.duration).toBe(0.5);
  });

  it('a header claiming 10^9 samples decodes only the bytes present', async () => {
    const wav = buildWav({
      channels: [tone(440, 16000, 1)],
      sampleRate: 16000,
      format: 's16',
      declaredDataBytes: 2_000_000_000,
    });
    const audio = await decodeAudio(wav, LIMITS);
    expect(audio.duration).toBe(1);
    const streamed = buildWav({
      channels: [tone(440, 16000, 1)],
      sampleRate: 16000,
      format: 's16',
      declaredDataBytes: 0xffffffff,
    });
    expect((await decodeAudio(streamed, LIMITS)).duration).toBe(1);
  });

  it('fmt after data is found; missing fmt or data is 400', async () => {
    const wav = second();
    // Swap: RIFF header, then data chunk, then fmt chunk.
    const fmt = wav.subarray(12, 36);
    const data = wav.subarray(36);
    const swapped = new Uint8Array(wav.length);
    swapped.set(wav.subarray(0, 12));
    swapped.set(data, 12);
    swapped.set(fmt, 12 + data.length);
    expect((await decodeAudio(swapped, LIMITS)).duration).toBe(1);
    const noData = wav.slice(0, 36);
    expect((await expectProblem(decodeAudio(noData, LIMITS), 'invalidAudio')).message).toMatch(
      /no data chunk/,
    );
    const noFmt = new Uint8Array([...wav.subarray(0, 12), ...data]);
    expect((await expectProblem(decodeAudio(noFmt, LIMITS), 'invalidAudio')).message).toMatch(
      /no fmt chunk/,
    );
  });

  it('zero channels, absurd sample rates, short fmt chunks are 400', async () => {
    const x = [tone(440, 16000, 0.5)];
    for (const spec of [
      { declaredChannels: 0 },
      { declaredRate: 0 },
      { declaredRate: 1_000_000_000 },
      { declaredRate: 500 },
    ]) {
      const p = await expectProblem(
        decodeAudio(buildWav({ channels: x, sampleRate: 16000, format: 's16', ...spec }), LIMITS),
        'invalidAudio',
      );
      expect(p.message).toMatch(/channels|Hz/);
    }
    const extensibleTooShort = buildWav({
      channels: x,
      sampleRate: 16000,
      format: 's16',
      declaredTag: 0xfffe,
    });
    expect(
      (await expectProblem(decodeAudio(extensibleTooShort, LIMITS), 'invalidAudio')).message,
    ).toMatch(/EXTENSIBLE/);
  });

  it('unsupported WAV encodings are 415 naming what was found', async () => {
    const x = [tone(440, 16000, 0.2)];
    const twelveBit = buildWav({ channels: x, sampleRate: 16000, format: 's16', declaredBits: 12 });
    expect(
      (await expectProblem(decodeAudio(twelveBit, LIMITS), 'unsupportedMediaType')).message,
    ).toMatch(/12-bit PCM/);
    const adpcm = buildWav({ channels: x, sampleRate: 16000, format: 's16', declaredTag: 2 });
    expect(
      (await expectProblem(decodeAudio(adpcm, LIMITS), 'unsupportedMediaType')).message,
    ).toMatch(/0x2/);
  });

  it('NaN and ±Infinity samples are 400 with the position', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const x = tone(440, 16000, 0.5);
      x[4000] = bad;
      for (const format of ['f32', 'f64'] as const) {
        const p = await expectProblem(
          decodeAudio(buildWav({ channels: [x], sampleRate: 16000, format }), LIMITS),
          'invalidAudio',
        );
        expect(p.message).toContain('0.250 s');
        expect(p.message).toMatch(/non-finite/);
      }
    }
  });

  it('too short and too long are 422 with the limits in the detail', async () => {
    const short = buildWav({
      channels: [tone(440, 16000, 0.05)],
      sampleRate: 16000,
      format: 's16',
    });
    const s = await expectProblem(decodeAudio(short, LIMITS), 'audioTooShort');
    expect(s.status).toBe(422);
    expect(s.message).toBe('Audio is 0.05 s long; the minimum is 0.1 s.');
    expect(s.extra).toMatchObject({ min_seconds: 0.1 });
    const long = buildWav({ channels: [tone(440, 8000, 3)], sampleRate: 8000, format: 'u8' });
    const l = await expectProblem(
      decodeAudio(long, { minSeconds: 0.1, maxSeconds: 2 }),
      'audioTooLong',
    );
    expect(l.message).toBe('Audio is 3 s long; the maximum is 2 s.');
    expect(l.extra).toMatchObject({ max_seconds: 2 });
  });

  it('compressed audio over the limit stops decoding at the limit (422)', async () => {
    const mp3 = read('speech-44k-stereo.mp3');
    const looped = new Uint8Array(mp3.length * 4);
    for (let i = 0; i < 4; i++) looped.set(mp3, i * mp3.length);
    const p = await expectProblem(
      decodeAudio(looped, { minSeconds: 0.1, maxSeconds: 3 }),
      'audioTooLong',
    );
    expect(p.message).toBe('Audio is longer than the maximum of 3 s.');
    const opus = await expectProblem(
      decodeAudio(read('speech-16k-mono.opus'), { minSeconds: 0.1, maxSeconds: 1 }),
      'audioTooLong',
    );
    expect(opus.status).toBe(422);
  });

  it('corrupt MP3, FLAC, Ogg Vorbis and Ogg Opus are 400', async () => {
    const cases: Array<[string, (b: Uint8Array) => Uint8Array, RegExp]> = [
      [
        'speech-44k-stereo.mp3',
        (b) => garble(b, b.length * 0.3, b.length * 0.7),
        /MP3 stream is corrupt/,
      ],
      ['speech-44k-stereo.mp3', (b) => b.subarray(0, 200), /MP3 data decoded to no audio/],
      [
        'speech-16k-mono-24bit.flac',
        (b) => garble(b, b.length * 0.3, b.length * 0.7),
        /FLAC stream is truncated or corrupt/,
      ],
      [
        'speech-16k-mono-24bit.flac',
        (b) => b.subarray(0, b.length * 0.6),
        /declares 32000 samples/,
      ],
      ['speech-44k-stereo.flac', (b) => b.subarray(0, 300), /FLAC/],
      [
        'speech-48k-mono.ogg',
        (b) => garble(b, 4000, 4100),
        /Ogg Vorbis is corrupt: page \d+ fails its CRC/,
      ],
      ['speech-48k-mono.ogg', (b) => b.subarray(0, 3000), /Ogg Vorbis data decoded to no audio/],
      [
        'speech-16k-mono.opus',
        (b) => garble(b, 3000, 3010),
        /Ogg Opus is corrupt: page \d+ fails its CRC/,
      ],
      ['speech-16k-mono.opus', (b) => b.subarray(0, 200), /Ogg Opus data decoded to no audio/],
      ['speech-16k-mono.opus', (b) => garble(b, b.length - 10, b.length), /Ogg Opus is corrupt/],
    ];
    for (const [name, damage, detail] of cases) {
      const bytes = damage(read(name));
      const p = await expectProblem(decodeAudio(bytes.slice(), LIMITS), 'invalidAudio');
      expect(p.message, name).toMatch(detail);
    }
  });

  it('an Ogg stream cut mid-page decodes its complete pages (no concealment noise added)', async () => {
    const full = await decodeAudio(read('speech-16k-mono.opus'), LIMITS);
    const bytes = read('speech-16k-mono.opus');
    const cut = await decodeAudio(bytes.subarray(0, Math.floor(bytes.length * 0.6)), LIMITS);
    expect(cut.duration).toBeLessThan(full.duration);
    expect(cut.duration).toBeGreaterThan(0.5);
  });

  it('the decoder pool stays bounded after bursts and failures', async () => {
    const good = read('speech-16k-mono.opus');
    const bad = garble(good, 3000, 3010);
    await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => decodeAudio(i % 3 ? good : bad, LIMITS)),
    );
    expect(idleDecoderCount('ogg-opus')).toBeGreaterThan(0);
    expect(idleDecoderCount('ogg-opus')).toBeLessThanOrEqual(2);
    // And the pooled instances still decode correctly.
    expect((await decodeAudio(good, LIMITS)).duration).toBe(2);
  });

  it('nonsense limits are a programming error (RangeError), not a client problem', async () => {
    await expect(decodeAudio(second(), { minSeconds: 5, maxSeconds: 1 })).rejects.toBeInstanceOf(
      RangeError,
    );
    await expect(
      decodeAudio(second(), { minSeconds: 0, maxSeconds: Number.NaN }),
    ).rejects.toBeInstanceOf(RangeError);
  });
});
