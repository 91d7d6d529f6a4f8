/**
 * Estimates how long a new task waits: tasks ahead of it divided by recent throughput (tasks
 * finished per second over the last minute in this process), plus one task's service time.
 * Before anything finished it assumes `defaultTaskSeconds` per task per worker slot.
 */
export class WaitEstimator {
  private readonly finished: number[] = [];

  constructor(
    private readonly slots: number,
    private readonly defaultTaskSeconds = 2,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Call when a task finishes (either way). */
  record(serviceSeconds: number): void {
    const t = this.now();
    this.finished.push(t);
    this.lastServiceSeconds = serviceSeconds;
    this.trim(t);
  }

  private lastServiceSeconds: number | null = null;

  /** Seconds, rounded up to 0.1. */
  estimate(ahead: number): number {
    const t = this.now();
    this.trim(t);
    const service = this.lastServiceSeconds ?? this.defaultTaskSeconds;
    let perSecond: number;
    if (this.finished.length >= 2) {
      const span = Math.max(1, (t - this.finished[0]!) / 1000);
      perSecond = this.finished.length / span;
    } else {
      perSecond = this.slots / this.defaultTaskSeconds;
    }
    return Math.ceil((ahead / perSecond + service) * 10) / 10;
  }

  private trim(t: number): void {
    while (this.finished.length > 0 && t - this.finished[0]! > this.windowMs) this.finished.shift();
    if (this.finished.length > 1000) this.finished.splice(0, this.finished.length - 1000);
  }
}
