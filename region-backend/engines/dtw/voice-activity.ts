/**
 * Speech / non-speech per 10 ms frame from frame log energies, with a threshold placed between
 * the signal's own noise floor and its speech level (so it adapts to digital silence, room noise
 * and loudness alike). Speech runs shorter than `minSpeechFrames` (clicks) are dropped.
 */
export function speechFrames(logEnergy: Float32Array, minSpeechFrames = 3): Uint8Array {
  const n = logEnergy.length;
  const mask = new Uint8Array(n);
  if (n === 0) return mask;
  const sorted = Float32Array.from(logEnergy).sort();
  const peak = sorted[Math.floor(0.98 * (n - 1))]!;
  // The floor is the clip's own noise, but never taken below 50 dB under the peak (ln 10^5):
  // a clip padded with digital zeros would otherwise count breath and hiss as speech.
  const floor = Math.max(sorted[Math.floor(0.05 * (n - 1))]!, peak - 11.5);
  // A quarter of the way up from the floor in log energy (at least 3 dB above it): weak
  // fricatives in clean audio still count as speech, steady noise does not.
  const threshold = floor + Math.max(0.7, 0.25 * (peak - floor));
  for (let i = 0; i < n; i++) mask[i] = logEnergy[i]! > threshold ? 1 : 0;
  let i = 0;
  while (i < n) {
    if (!mask[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && mask[j]) j++;
    if (j - i < minSpeechFrames) mask.fill(0, i, j);
    i = j;
  }
  return mask;
}

/** Speech frames of a synthetic (noise-free) signal: anything within 50 dB of its peak. */
export function syntheticSpeechFrames(logEnergy: Float32Array): Uint8Array {
  let peak = Number.NEGATIVE_INFINITY;
  for (const e of logEnergy) if (e > peak) peak = e;
  const mask = new Uint8Array(logEnergy.length);
  for (let i = 0; i < logEnergy.length; i++) mask[i] = logEnergy[i]! > peak - 11.5 ? 1 : 0;
  return mask;
}
