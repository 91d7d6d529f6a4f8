import { describe, expect, it } from 'vitest';
import { RealPowerSpectrum } from '../../region-backend/engines/dtw/fft.ts';

describe('RealPowerSpectrum', () => {
  it('matches a direct DFT of a real frame', () => {
    const n = 64;
    const x = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 5) * 0.1,
    );
    const power = new Float64Array(n / 2 + 1);
    new RealPowerSpectrum(n).compute(x, power);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < n; t++) {
        re += x[t]! * Math.cos((-2 * Math.PI * k * t) / n);
        im += x[t]! * Math.sin((-2 * Math.PI * k * t) / n);
      }
      expect(power[k]).toBeCloseTo(re * re + im * im, 8);
    }
  });
});
