/**
 * Band-limited sample-rate conversion: a polyphase FIR whose taps are a Kaiser-windowed sinc.
 * Written here rather than taken from libsamplerate-js because that WASM build measured
 * ~340 ms for 60 s of 44.1 kHz audio in its fastest sinc mode, against a latency budget of
 * ~20 ms for the whole backend; figures for this one are printed by bench/audio-decode.ts.
 *
 * Design: passband to 0.43 x the lower of the two rates (6.9 kHz when going to 16 kHz),
 * stopband from its Nyquist frequency, ~60 dB stopband attenuation. Nothing can alias into
 * the band below 8 kHz; the 6.9-8 kHz roll-off costs speech features little.
 * Rates of 40 kHz and more are first halved (repeatedly) by short filters that only keep
 * 0-8 kHz free of aliases: the final filter's length grows with its input rate, so this
 * cuts the cost by a quarter at 44.1/48 kHz and several-fold at 96/192 kHz.
 * Every output sample sits at its exact source position (no drift for any rate ratio); for
 * ratios whose reduced form needs more than MAX_PHASES phases, the fractional position is
 * rounded to 1/MAX_PHASES of a source sample.
 */

const PASSBAND = 0.43;
const STOPBAND = 0.5;
const ATTENUATION_DB = 60;
const KAISER_BETA = 0.1102 * (ATTENUATION_DB - 8.7);
const MAX_PHASES = 1024;
/** Filter banks are cached per rate pair; the bound keeps odd client rates from piling up. */
const MAX_CACHED_BANKS = 8;

interface FilterBank {
  phases: number;
  /** Even number of source samples each output sample reads. */
  taps: number;
  /** `phases` rows of `taps` coefficients; row p is for fractional position p / phases. */
  coefficients: Float32Array;
}

const banks = new Map<string, FilterBank>();

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** Band edges (Hz) of the one-step filter from `inputRate` to `outputRate`. */
function directBand(inputRate: number, outputRate: number): Band {
  const lower = Math.min(inputRate, outputRate);
  return { passHz: PASSBAND * lower, stopHz: STOPBAND * lower };
}

interface Band {
  passHz: number;
  stopHz: number;
}

function buildBank(inputRate: number, outputRate: number, band: Band): FilterBank {
  const cutoff = (band.passHz + band.stopHz) / 2 / inputRate; // cycles per source sample
  const transition = (band.stopHz - band.passHz) / inputRate;
  const length = (ATTENUATION_DB - 8) / (2.285 * 2 * Math.PI * transition);
  const taps = 2 * Math.ceil(length / 2);
  const reduced = outputRate / gcd(inputRate, outputRate);
  const phases = Math.min(reduced, MAX_PHASES);
  const half = taps / 2;
  const i0Beta = besselI0(KAISER_BETA);
  const coefficients = new Float32Array(phases * taps);
  const row = new Float64Array(taps);
  for (let p = 0; p < phases; p++) {
    // Input index first + kk is k = half - 1 - kk samples before the output position's
    // integer part, i.e. at distance t = k + p/phases from the output instant.
    let sum = 0;
    for (let kk = 0; kk < taps; kk++) {
      const t = half - 1 - kk + p / phases;
      const sinc = t === 0 ? 1 : Math.sin(2 * Math.PI * cutoff * t) / (2 * Math.PI * cutoff * t);
      const r = t / half;
      const w = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta;
      row[kk] = sinc * w;
      sum += row[kk]!;
    }
    // Unit DC gain in every phase, so a constant stays constant (no phase-dependent ripple).
    for (let kk = 0; kk < taps; kk++) coefficients[p * taps + kk] = row[kk]! / sum;
  }
  return { phases, taps, coefficients };
}

function filterBank(inputRate: number, outputRate: number, band: Band): FilterBank {
  const key = `${inputRate}/${outputRate}/${band.passHz}/${band.stopHz}`;
  let bank = banks.get(key);
  if (!bank) {
    bank = buildBank(inputRate, outputRate, band);
    if (banks.size >= MAX_CACHED_BANKS) banks.delete(banks.keys().next().value!);
    banks.set(key, bank);
  }
  return bank;
}

/**
 * Streaming resampler: push mono source chunks of any size, then finish(). The output is
 * sample-for-sample what `resample` gives for the whole input at once, but only each
 * filter's history of source audio is held, so memory follows the output, not the source.
 */
export class Resampler {
  readonly #stages: ResamplerStage[] = [];
  readonly #output = new SampleBlocks();
  #total = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    let rate = inputRate;
    // Halve while the half rate still leaves room above the output band (e.g. 48k -> 24k),
    // keeping only 0..outputRate/2 alias-free; the last stage does the real band limit.
    while (rate % 2 === 0 && rate / 2 >= outputRate * 1.25) {
      const keep = outputRate / 2;
      this.#stages.push(
        new ResamplerStage(rate, rate / 2, { passHz: keep, stopHz: rate / 2 - keep }),
      );
      rate /= 2;
    }
    if (rate !== outputRate)
      this.#stages.push(new ResamplerStage(rate, outputRate, directBand(rate, outputRate)));
  }

  /** Source samples pushed so far. */
  get inputLength(): number {
    return this.#total;
  }

  push(chunk: Float32Array): void {
    this.#total += chunk.length;
    let samples = this.#stages.length ? chunk : chunk.slice();
    for (const stage of this.#stages) samples = stage.push(samples);
    if (samples.length) this.#output.add(samples);
  }

  /** Flushes every stage and returns the whole output, round(inputLength * out / in) long. */
  finish(): Float32Array {
    for (let i = 0; i < this.#stages.length; i++) {
      let tail = this.#stages[i]!.finish();
      for (const next of this.#stages.slice(i + 1)) tail = next.push(tail);
      if (tail.length) this.#output.add(tail);
    }
    const all = this.#output.concat();
    // Each stage rounds its own length; the chain as a whole promises the one-step length.
    const length = Math.round((this.#total * this.outputRate) / this.inputRate);
    if (all.length === length) return all;
    const fitted = new Float32Array(length);
    fitted.set(all.subarray(0, length));
    return fitted;
  }
}

/** One filter step of a Resampler: returns the outputs each push makes computable. */
class ResamplerStage {
  readonly #bank: FilterBank;
  readonly #step: number;
  /** Source samples not yet fully used; #pending[0] is absolute source index #base. */
  #pending = new Float32Array(0);
  #pendingLength = 0;
  #base = 0;
  /** Source samples pushed so far. */
  #total = 0;
  /** Next output index. */
  #next = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    band: Band,
  ) {
    this.#bank = filterBank(inputRate, outputRate, band);
    this.#step = inputRate / outputRate;
  }

  push(chunk: Float32Array): Float32Array {
    this.#append(chunk);
    this.#total += chunk.length;
    const out = this.#emit(Number.POSITIVE_INFINITY, false);
    // Drop what no future output reads: everything before the next output's first tap.
    const keepFrom = Math.max(this.#base, this.#firstTap(this.#next));
    const drop = Math.min(keepFrom - this.#base, this.#pendingLength);
    if (drop > 0) {
      this.#pending.copyWithin(0, drop, this.#pendingLength);
      this.#pendingLength -= drop;
      this.#base += drop;
    }
    return out;
  }

  /** The remaining outputs, reading silence beyond the end. */
  finish(): Float32Array {
    return this.#emit(Math.round((this.#total * this.outputRate) / this.inputRate), true);
  }

  #firstTap(j: number): number {
    const position = j * this.#step;
    let whole = Math.floor(position);
    if (Math.round((position - whole) * this.#bank.phases) === this.#bank.phases) whole++;
    return whole - this.#bank.taps / 2 + 1;
  }

  #append(chunk: Float32Array): void {
    const needed = this.#pendingLength + chunk.length;
    if (needed > this.#pending.length) {
      const grown = new Float32Array(Math.max(needed, this.#pending.length * 2, 4096));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(chunk, this.#pendingLength);
    this.#pendingLength = needed;
  }

  /** Computes outputs up to `limit` (exclusive): all of them when `final`, else those whose taps are all in. */
  #emit(limit: number, final: boolean): Float32Array {
    const { phases, taps, coefficients } = this.#bank;
    const half = taps / 2;
    const step = this.#step;
    const input = this.#pending;
    const base = this.#base;
    const end = this.#total; // absolute index one past the last source sample
    // Upper bound on the outputs this call can produce; written in place, then kept.
    const bound = Math.max(0, Math.min(limit, Math.ceil((end + half) / step) + 1) - this.#next);
    const out = new Float32Array(bound);
    const start = this.#next;
    let j = start;
    for (; j < limit; j++) {
      const position = j * step;
      let whole = Math.floor(position);
      let phase = Math.round((position - whole) * phases);
      if (phase === phases) {
        whole++;
        phase = 0;
      }
      const first = whole - half + 1;
      if (!final && first + taps > end) break;
      const c = phase * taps;
      const at = first - base;
      let acc = 0;
      if (first >= 0 && first + taps <= end) {
        // Four accumulators: the hot loop, about twice as fast as one in V8.
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let k = 0;
        for (; k < taps - 3; k += 4) {
          acc += coefficients[c + k]! * input[at + k]!;
          a1 += coefficients[c + k + 1]! * input[at + k + 1]!;
          a2 += coefficients[c + k + 2]! * input[at + k + 2]!;
          a3 += coefficients[c + k + 3]! * input[at + k + 3]!;
        }
        for (; k < taps; k++) acc += coefficients[c + k]! * input[at + k]!;
        acc += a1 + a2 + a3;
      } else {
        for (let k = 0; k < taps; k++) {
          const i = first + k;
          if (i >= 0 && i < end) acc += coefficients[c + k]! * input[i - base]!;
        }
      }
      out[j - start] = acc;
    }
    this.#next = j;
    return out.subarray(0, j - start);
  }
}

/** Output collected as a list of pieces, joined once at the end (growing never copies). */
class SampleBlocks {
  #pieces: Float32Array[] = [];
  #length = 0;

  add(piece: Float32Array): void {
    this.#pieces.push(piece);
    this.#length += piece.length;
  }

  concat(): Float32Array {
    if (
      this.#pieces.length === 1 &&
      this.#pieces[0]!.length === this.#pieces[0]!.buffer.byteLength / 4
    )
      return this.#pieces[0]!;
    const out = new Float32Array(this.#length);
    let at = 0;
    for (const p of this.#pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/**
 * Resamples mono `input` from `inputRate` to `outputRate` (both positive integers, Hz).
 * Output length is round(input.length * outputRate / inputRate); the filter is centred, so
 * nothing is delayed; beyond the edges the signal counts as silence. Same rate: `input`.
 */
export function resample(input: Float32Array, inputRate: number, outputRate: number): Float32Array {
  if (inputRate === outputRate) return input;

  const resampler = new Resampler(inputRate, outputRate);
  resampler.push(input);
  return resampler.finish();
}
