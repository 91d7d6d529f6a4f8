import type {
  EnqueueOptions,
  JobHandlers,
  JobKind,
  JobKinds,
  QueueDepth,
  TaskQueue,
} from './task-queue.ts';
import { PermanentJobError, RetryLaterJobError } from './task-queue.ts';

interface Entry {
  kind: JobKind;
  data: JobKinds[JobKind];
  options: EnqueueOptions;
  attempt: number;
  timer?: NodeJS.Timeout;
}

/**
 * The queue when no regional Redis is configured: jobs live in this process's memory and are
 * lost if it stops. Same contract as the BullMQ queue (job ids, attempts, backoff, delay).
 */
export class InProcessTaskQueue implements TaskQueue {
  readonly kind = 'memory';
  private readonly waiting: Entry[] = [];
  private readonly delayed = new Map<string, Entry>();
  private readonly known = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private handlers: JobHandlers | null = null;
  private concurrency = 1;
  private activeAlign = 0;
  private closed = false;

  async add<K extends JobKind>(kind: K, data: JobKinds[K], options: EnqueueOptions): Promise<void> {
    const id = `${kind}:${options.jobId}`;
    if (this.known.has(id) || this.closed) return;
    this.known.add(id);
    this.schedule({ kind, data, options, attempt: 1 }, options.delayMs ?? 0);
  }

  async remove(kind: JobKind, jobId: string): Promise<void> {
    const id = `${kind}:${jobId}`;
    const e = this.delayed.get(id);
    if (e) {
      clearTimeout(e.timer);
      this.delayed.delete(id);
    }
    const i = this.waiting.findIndex((w) => `${w.kind}:${w.options.jobId}` === id);
    if (i >= 0) this.waiting.splice(i, 1);
    this.known.delete(id);
  }

  async depth(): Promise<QueueDepth> {
    return { waiting: this.waiting.length, active: this.activeAlign, delayed: this.delayed.size };
  }

  start(handlers: JobHandlers, concurrency: number): void {
    this.handlers = handlers;
    this.concurrency = Math.max(1, concurrency);
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.delayed.values()) clearTimeout(e.timer);
    this.delayed.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  /**
   * Finished job ids are remembered (as BullMQ keeps finished jobs), so adding one again is a
   * no-op; only the oldest beyond a bound are forgotten.
   */
  private forgetOldest(): void {
    while (this.known.size > 100_000) {
      const oldest = this.known.values().next().value;
      if (oldest === undefined) break;
      this.known.delete(oldest);
    }
  }

  private schedule(entry: Entry, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      this.waiting.push(entry);
      this.pump();
      return;
    }
    const id = `${entry.kind}:${entry.options.jobId}`;
    entry.timer = setTimeout(() => {
      this.delayed.delete(id);
      this.waiting.push(entry);
      this.pump();
    }, delayMs);
    entry.timer.unref();
    this.delayed.set(id, entry);
  }

  private pump(): void {
    if (!this.handlers) return;
    for (let i = 0; i < this.waiting.length; ) {
      const e = this.waiting[i]!;
      // Webhooks do not take alignment slots.
      if (e.kind === 'align' && this.activeAlign >= this.concurrency) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.run(e);
    }
  }

  private run(e: Entry): void {
    const handler = this.handlers![e.kind] as (d: unknown, c: unknown) => Promise<void>;
    if (e.kind === 'align') this.activeAlign++;
    const finalAttempt = e.attempt >= e.options.attempts;
    const p = handler(e.data, { attempt: e.attempt, finalAttempt })
      .then(
        () => this.forgetOldest(),
        (err: unknown) => {
          if (err instanceof RetryLaterJobError) {
            this.schedule(e, err.delayMs);
            return;
          }
          if (err instanceof PermanentJobError || finalAttempt) {
            this.forgetOldest();
            return;
          }
          const delay = e.options.backoffMs * 2 ** (e.attempt - 1);
          this.schedule({ ...e, attempt: e.attempt + 1 }, delay);
        },
      )
      .finally(() => {
        if (e.kind === 'align') this.activeAlign--;
        this.running.delete(p);
        this.pump();
      });
    this.running.add(p);
  }
}
