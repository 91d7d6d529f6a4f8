import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../region-backend/audio/index.ts';
import { expectProblem } from './expect-problem.ts';
import { buildWav, middleRms, tone } from './wav-builder.ts';

const LIMITS = { minSeconds: 0, maxSeconds: 600 };

describe('WAV decoding', () => {
  for (const format of ['u8', 's16', 's24', 's32', 'f32', 'f64'] as const) {
    for (const extensible of [false, true]) {
      it(`${format}${extensible ? ' WAVE_FORMAT_EXTENSIBLE' : ''}: values survive at 16 kHz`, async () => {
        const x = Float32Array.from([0, 0.5, -0.5, 0.25, -1, 0.99]);
        const audio = await decodeAudio(
          buildWav({ channels: [x], sampleRate: 16000, format, extensible }),
          LIMITS,
        );
        const step = format === 'u8' ? 1 / 64 : 1e-4;
        expect(audio.sourceFormat).toBe('wav');
        expect(audio.samples.length).toBe(x.length);
        x.forEach((v, i) => {
          expect(Math.abs(audio.samples[i]! - v)).toBeLessThanOrEqual(step);
        });
      });
    }
  }

  it('averages any number of channels (8 channels)', async () => {
    const channels = Array.from({ length: 8 }, (_, c) => Float32Array.from([c / 8, -c / 8, 0.5]));
    const audio = await decodeAudio(
      buildWav({ channels, sampleRate: 16000, format: 's16' }),
      LIMITS,
    );
    expect(audio.sourceChannels).toBe(8);
    expect(audio.samples[0]).toBeCloseTo(3.5 / 8, 3);
    expect(audio.samples[1]).toBeCloseTo(-3.5 / 8, 3);
    expect(audio.samples[2]).toBeCloseTo(0.5, 3);
  });

  it('opposite channels cancel (the downmix averages, it does not pick one channel)', async () => {
    const left = tone(440, 16000, 0.2);
    const right = left.map((v) => -v);
    const audio = await decodeAudio(
      buildWav({ channels: [left, right], sampleRate: 16000, format: 'f32' }),
      LIMITS,
    );
    expect(middleRms(audio.samples)).toBeLessThan(1e-6);
  });

  for (const rate of [8000, 11025, 22050, 44100, 48000, 96000, 192000]) {
    it(`${rate} Hz: resampled to 16 kHz with a 1 kHz tone intact`, async () => {
      const x = tone(1000, rate, 0.5);
      const audio = await decodeAudio(
        buildWav({ channels: [x], sampleRate: rate, format: 's24' }),
        LIMITS,
      );
      expect(audio.sourceSampleRate).toBe(rate);
      expect(audio.samples.length).toBe(Math.round((x.length * 16000) / rate));
      expect(middleRms(audio.samples)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    });
  }

  it('divides by the peak when float samples exceed 1', async () => {
    const x = Float32Array.from([0.5, 2, -4, 1]);
    const audio = await decodeAudio(
      buildWav({ channels: [x], sampleRate: 16000, format: 'f32' }),
      LIMITS,
    );
    expect(Array.from(audio.samples)).toEqual([0.125, 0.5, -1, 0.25]);
  });

  it('walks past other chunks (LIST, odd-sized) to fmt and data', async () => {
    const x = Float32Array.from([0.25, -0.25]);
    const audio = await decodeAudio(
      buildWav({ channels: [x], sampleRate: 16000, format: 's16', junkChunkBytes: 13 }),
      LIMITS,
    );
    expect(audio.samples[0]).toBeCloseTo(0.25, 3);
  });

  it('reads a file whose bytes start at an odd offset of a larger buffer', async () => {
    const wav = buildWav({
      channels: [Float32Array.from([0.5, -0.5])],
      sampleRate: 16000,
      format: 'f32',
    });
    const big = new Uint8Array(wav.length + 1);
    big.set(wav, 1);
    const audio = await decodeAudio(big.subarray(1), LIMITS);
    expect(Array.from(audio.samples)).toEqual([0.5, -0.5]);
  });

  it('reads float samples at a misaligned offset of a Node Buffer (whose slice() is a view)', async () => {
    const wav = buildWav({
      channels: [Float32Array.from([0.25, -0.75, Number.NaN])],
      sampleRate: 16000,
      format: 'f32',
    });
    const big = Buffer.alloc(wav.length + 3);
    big.set(wav, 3);
    await expectProblem(decodeAudio(big.subarray(3), LIMITS), 'invalidAudio');
    big.writeFloatLE(0, 3 + wav.length - 4);
    const audio = await decodeAudio(big.subarray(3), LIMITS);
    expect(Array.from(audio.samples)).toEqual([0.25, -0.75, 0]);
  });

  it('reads 16-bit samples at an odd offset exactly as at an even one', async () => {
    // The builder writes round(x * 32767): these integers come back as written.
    const values = [0, 1, -1, 32767, -32767, 12345, -12345, 256, -256];
    const wav = buildWav({
      channels: [Float32Array.from(values, (v) => v / 32767)],
      sampleRate: 16000,
      format: 's16',
    });
    const big = new Uint8Array(wav.length + 1);
    big.set(wav, 1);
    const odd = await decodeAudio(big.subarray(1), LIMITS);
    const even = await decodeAudio(wav, LIMITS);
    expect(Array.from(odd.samples)).toEqual(values.map((v) => v / 32768));
    expect(Array.from(odd.samples)).toEqual(Array.from(even.samples));
  });

  it('A-law and µ-law (G.711) WAV', async () => {
    // Tag 6 (A-law) and 7 (µ-law), 8 bits: 0xd5 / 0xff are the codes for (near) silence.
    for (const [tag, silence] of [
      [6, 0xd5],
      [7, 0xff],
    ] as const) {
      const wav = buildWav({
        channels: [new Float32Array(4)],
        sampleRate: 8000,
        format: 'u8',
        declaredTag: tag,
      });
      wav.fill(silence, wav.length - 4);
      const audio = await decodeAudio(wav, LIMITS);
      for (const v of audio.samples) expect(Math.abs(v)).toBeLessThan(0.001);
    }
  });
});
