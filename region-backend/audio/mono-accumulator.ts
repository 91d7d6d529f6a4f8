/**
 * Collects decoded chunks as mono (channels averaged), growing geometrically. The caller
 * checks `frames` after each chunk, so memory stays bounded by the duration limit.
 */
export class MonoAccumulator {
  #buffer = new Float32Array(1 << 16);
  frames = 0;

  /** Averages `channels` into mono and appends it. */
  append(channels: readonly Float32Array[], frames: number): void {
    this.#reserve(frames);
    const out = this.#buffer;
    const at = this.frames;
    const count = channels.length;
    if (count === 1) {
      out.set(channels[0]!.subarray(0, frames), at);
    } else {
      const scale = 1 / count;
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < count; c++) sum += channels[c]![f]!;
        out[at + f] = sum * scale;
      }
    }
    this.frames += frames;
  }

  /** The samples so far (a copy sized exactly). */
  toArray(): Float32Array {
    return this.#buffer.slice(0, this.frames);
  }

  #reserve(extra: number): void {
    const needed = this.frames + extra;
    if (needed <= this.#buffer.length) return;
    let size = this.#buffer.length;
    while (size < needed) size *= 2;
    const grown = new Float32Array(size);
    grown.set(this.#buffer.subarray(0, this.frames));
    this.#buffer = grown;
  }
}
