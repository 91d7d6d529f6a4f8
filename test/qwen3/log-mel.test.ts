import { describe, expect, it } from 'vitest';
import { audioSinusoids } from '../../region-backend/engines/qwen3/encoder-graph.ts';
import { Fft } from '../../region-backend/engines/qwen3/fft.ts';
import { LogMelExtractor, melFilterBank } from '../../region-backend/engines/qwen3/log-mel.ts';
import { audioTokenCount } from '../../region-backend/engines/qwen3/model-config.ts';
import { caseAudio, maxAbsDiff, readCase, readTensor, SINGLE_CASES } from './fixture.ts';

describe('Whisper log-mel front end', () => {
  it('mel filter bank matches the reference', () => {
    expect(maxAbsDiff(melFilterBank(), readTensor('common/mel_filters.bin'))).toBeLessThanOrEqual(
      1e-7,
    );
  });
  it('the mixed-radix FFT equals a direct DFT', () => {
    const n = 400;
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 7);
    const im = new Float64Array(n);
    const x = Float64Array.from(re);
    new Fft(n).transform(re, im);
    for (const k of [0, 1, 57, 199, 200, 333]) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        sr += x[j]! * Math.cos((2 * Math.PI * j * k) / n);
        si -= x[j]! * Math.sin((2 * Math.PI * j * k) / n);
      }
      expect(Math.abs(re[k]! - sr)).toBeLessThan(1e-9);
      expect(Math.abs(im[k]! - si)).toBeLessThan(1e-9);
    }
  });
  for (const name of SINGLE_CASES) {
    it(`${name}: log-mel from the WAV within 1e-4 of the reference`, () => {
      const c = readCase(name);
      const mel = new LogMelExtractor();
      const samples = caseAudio(name);
      expect(mel.frameCount(samples.length)).toBe(c.n_frames);
      expect(
        maxAbsDiff(mel.extract(samples), readTensor(`cases/${name}/mel.bin`)),
      ).toBeLessThanOrEqual(1e-4);
      expect(audioTokenCount(c.n_frames, 100)).toBe(c.n_audio_tokens);
    });
  }
  it('encoder positions match the reference table', () => {
    expect(
      maxAbsDiff(audioSinusoids(13, 32), readTensor('common/audio_sinusoids.bin')),
    ).toBeLessThanOrEqual(1e-6);
  });
  it('audio token counts follow the official formula', () => {
    for (const [f, n] of [
      [8, 1],
      [9, 2],
      [100, 13],
      [101, 14],
      [800, 104],
    ]) {
      expect(audioTokenCount(f!, 100)).toBe(n);
    }
  });
});
