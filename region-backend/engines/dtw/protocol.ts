import type { UnitTiming } from '../../../shared/alignment.ts';
import type { AlignmentItem } from '../engine.ts';

/** Main thread -> worker: align these items, answer with `id`. */
export interface AlignRequest {
  id: number;
  items: Array<Pick<AlignmentItem, 'samples' | 'language' | 'text' | 'units'>>;
}

/** Worker -> main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; timings: UnitTiming[][] }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
}

export function serializeError(err: unknown): SerializedError {
  return err instanceof Error
    ? { name: err.name, message: err.message }
    : { name: 'Error', message: String(err) };
}
