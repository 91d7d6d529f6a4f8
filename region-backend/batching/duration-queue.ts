/** What the queue orders by: a duration-like weight (> 0) and an arrival number. */
export interface Queued {
  readonly weight: number;
  /** Increasing with arrival; `push` must be called in `seq` order. */
  readonly seq: number;
}

/**
 * Entries waiting for a batch, kept both in arrival order and sorted by weight, so the next
 * batch (the oldest entry and its nearest neighbours by weight) is found by walking outwards
 * from the oldest entry instead of sorting the whole queue for every batch.
 *
 * @example
 * const q = new DurationQueue<{ weight: number; seq: number }>();
 * q.push({ weight: 5, seq: 1 });
 * q.push({ weight: 60, seq: 2 });
 * q.push({ weight: 6, seq: 3 });
 * const batch = q.pick(2, 2); // seq 1 and 3
 * q.take(batch);
 */
export class DurationQueue<T extends Queued> {
  /** Arrival order, from `head`; entries in `gone` were taken out of order and are skipped. */
  private fifo: T[] = [];
  private head = 0;
  private gone = new WeakSet<T>();
  /** Sorted by (weight, seq): the source of truth for what is queued. */
  private byWeight: T[] = [];

  get size(): number {
    return this.byWeight.length;
  }

  oldest(): T | undefined {
    while (this.head < this.fifo.length && this.gone.has(this.fifo[this.head]!)) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    }
    return this.fifo[this.head];
  }

  push(entry: T): void {
    this.fifo.push(entry);
    // After equal weights: among equal weights, older entries come first.
    this.byWeight.splice(this.upperBound(entry.weight), 0, entry);
  }

  /** Removes one entry; false if it is not (or no longer) here. */
  remove(entry: T): boolean {
    const at = this.weightIndex(entry);
    if (this.byWeight[at] !== entry) return false;
    this.byWeight.splice(at, 1);
    this.gone.add(entry);
    return true;
  }

  /**
   * Up to `max` entries, not removed: the oldest, then the entries nearest to it in weight
   * (by ratio; ties go to the older), skipping any that would make the batch's largest weight
   * over its smallest exceed `maxRatio`.
   */
  pick(max: number, maxRatio: number): T[] {
    const anchor = this.oldest();
    if (!anchor) return [];
    const batch = [anchor];
    const at = this.weightIndex(anchor);
    // Entries of the anchor's weight are all newer, so they sit to its right, oldest first. To
    // the left, equal weights also sit oldest first, so the walk goes left run by run and takes
    // each run from its start.
    let right = at + 1;
    let runEnd = at - 1;
    let runStart = runEnd >= 0 ? this.lowerBound(this.byWeight[runEnd]!.weight) : 0;
    let left = runStart;
    let lo = anchor.weight;
    let hi = anchor.weight;
    while (batch.length < max) {
      // Once a side does not fit it never will: hi only grows, lo only shrinks.
      const l = runEnd >= 0 ? this.byWeight[left] : undefined;
      const r = right < this.byWeight.length ? this.byWeight[right] : undefined;
      const leftFits = l !== undefined && hi / l.weight <= maxRatio;
      const rightFits = r !== undefined && r.weight / lo <= maxRatio;
      if (!leftFits && !rightFits) break;
      let takeLeft = leftFits;
      if (leftFits && rightFits) {
        const dl = anchor.weight / l.weight;
        const dr = r.weight / anchor.weight;
        takeLeft = dl < dr || (dl === dr && l.seq < r.seq);
      }
      if (takeLeft) {
        batch.push(l!);
        lo = l!.weight;
        left += 1;
        if (left > runEnd) {
          runEnd = runStart - 1;
          runStart = runEnd >= 0 ? this.lowerBound(this.byWeight[runEnd]!.weight) : 0;
          left = runStart;
        }
      } else {
        batch.push(r!);
        hi = r!.weight;
        right += 1;
      }
    }
    return batch;
  }

  /** Removes the entries of a batch `pick` returned. */
  take(batch: readonly T[]): void {
    for (const e of batch) this.remove(e);
  }

  /** Removes and returns everything, oldest first. */
  clear(): T[] {
    const all = this.fifo.slice(this.head).filter((e) => !this.gone.has(e));
    this.fifo = [];
    this.head = 0;
    this.gone = new WeakSet();
    this.byWeight = [];
    return all;
  }

  /** First index whose weight is not less than `weight`. */
  private lowerBound(weight: number): number {
    return this.firstIndex((e) => e.weight < weight);
  }

  /** First index whose weight is greater than `weight`. */
  private upperBound(weight: number): number {
    return this.firstIndex((e) => e.weight <= weight);
  }

  /** Where `entry` is, or would be, in weight order. */
  private weightIndex(entry: T): number {
    return this.firstIndex(
      (e) => e.weight < entry.weight || (e.weight === entry.weight && e.seq < entry.seq),
    );
  }

  /** Binary search: the first index whose entry is not `before` the target. */
  private firstIndex(before: (e: T) => boolean): number {
    let lo = 0;
    let hi = this.byWeight.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.byWeight[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
