import { EventEmitter } from 'node:events';
import { isFinalTaskStatus, type TaskRecord } from '../../shared/tasks.ts';
import type { TaskStore } from './task-store.ts';

/**
 * Tells waiters (`Prefer: wait=N` on a task) when a task ends: at once for tasks finished in
 * this process, by polling the store for tasks another replica runs.
 */
export class TaskEvents {
  private readonly emitter = new EventEmitter();

  constructor(
    private readonly store: TaskStore,
    private readonly pollMs = 500,
  ) {
    this.emitter.setMaxListeners(0);
  }

  finished(record: TaskRecord): void {
    this.emitter.emit(record.task_id, record);
  }

  /** The final record, or null if the task has not ended within `ms`. */
  async waitForFinal(taskId: string, ms: number, signal?: AbortSignal): Promise<TaskRecord | null> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: TaskRecord | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.emitter.off(taskId, finish);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => finish(null);
      const timer = setTimeout(() => finish(null), ms);
      const check = () =>
        this.store
          .getRecord(taskId)
          .then((r) => {
            if (r && isFinalTaskStatus(r.status)) finish(r);
          })
          .catch(() => {});
      const poll = setInterval(check, this.pollMs);
      this.emitter.on(taskId, finish);
      signal?.addEventListener('abort', onAbort, { once: true });
      void check();
    });
  }
}
