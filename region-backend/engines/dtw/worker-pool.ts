import { Worker } from 'node:worker_threads';
import type { UnitTiming } from '../../../shared/alignment.ts';
import { type AlignmentItem, EngineInputError } from '../engine.ts';
import type { AlignRequest, SerializedError, WorkerMessage } from './protocol.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** A worker thread that died or could not start. */
export class DtwWorkerError extends Error {
  override name = 'DtwWorkerError';
}

function revive(error: SerializedError): Error {
  if (error.name === 'EngineInputError') return new EngineInputError(error.message);
  const err = new DtwWorkerError(error.message);
  err.name = error.name === 'Error' ? 'DtwWorkerError' : error.name;
  return err;
}

interface Pending {
  resolve: (timings: UnitTiming[][]) => void;
  reject: (err: Error) => void;
}

/** One worker thread, one request at a time. */
class DtwWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  readonly ready: Promise<void>;
  busy = 0;
  dead = false;

  constructor() {
    this.worker = new Worker(ENTRY);
    let started: (() => void) | undefined;
    let failed: ((err: Error) => void) | undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') started?.();
      else if (message.type === 'failed') failed?.(revive(message.error));
      else {
        const p = this.pending.get(message.id);
        if (!p) return;
        this.pending.delete(message.id);
        if (message.type === 'result') p.resolve(message.timings);
        else p.reject(revive(message.error));
      }
    });
    const die = (err: Error) => {
      this.dead = true;
      failed?.(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => die(new DtwWorkerError(`dtw worker crashed: ${err.message}`)));
    this.worker.on('exit', (code) => die(new DtwWorkerError(`dtw worker exited (code ${code})`)));
  }

  align(items: AlignRequest['items']): Promise<UnitTiming[][]> {
    const id = this.nextId++;
    this.busy++;
    return new Promise<UnitTiming[][]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, items } satisfies AlignRequest);
    }).finally(() => {
      this.busy--;
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * A fixed pool of dtw worker threads. Items of a batch are spread over the least busy workers;
 * a worker that dies is replaced on the next call.
 */
export class DtwWorkerPool {
  private workers: DtwWorker[] = [];

  constructor(private readonly size: number) {}

  /** Starts the workers and waits until each has loaded eSpeak-NG. */
  async start(): Promise<void> {
    this.workers = Array.from({ length: this.size }, () => new DtwWorker());
    try {
      await Promise.all(this.workers.map((w) => w.ready));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private pick(): DtwWorker {
    for (let i = 0; i < this.workers.length; i++) {
      if (this.workers[i]!.dead) this.workers[i] = new DtwWorker();
    }
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.busy < best.busy) best = w;
    return best;
  }

  async alignOne(item: AlignmentItem): Promise<UnitTiming[]> {
    const worker = this.pick();
    await worker.ready;
    const [timings] = await worker.align([
      { samples: item.samples, language: item.language, text: item.text, units: item.units },
    ]);
    return timings!;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
