import { type LatencySummary, latencySummary } from './load-report.ts';
import type { RequestRecord } from './run-load.ts';

/** How the async tasks of a run ended. */
export interface TaskOutcomes {
  submitted: number;
  /** Final statuses (completed / failed) by name. */
  final: Record<string, number>;
  /** Still queued or processing when polling gave up. */
  unfinished: number;
  waitedSeconds: number;
  /** Submission (202) to the poll that saw it final, ms. */
  submitToDone: LatencySummary;
  /** The first few failed tasks' errors. */
  failures: unknown[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls GET /api/tasks/:id/status for every 202 of a run (with the key of the tenant that
 * submitted it) until each is completed or failed, or `maxWaitSeconds` passes.
 */
export async function awaitTasks(
  url: string,
  records: RequestRecord[],
  keys: Record<string, string>,
  startedAt: number,
  maxWaitSeconds: number,
): Promise<TaskOutcomes> {
  const open = new Map(
    records.filter((r) => r.taskId).map((r) => [r.taskId!, { tenant: r.tenant, at: r.at }]),
  );
  const submitted = open.size;
  const final: Record<string, number> = {};
  const doneAfter: number[] = [];
  const failures: unknown[] = [];
  const t0 = Date.now();
  while (open.size > 0 && Date.now() - t0 < maxWaitSeconds * 1000) {
    const batch = [...open.entries()].slice(0, 64);
    await Promise.all(
      batch.map(async ([id, info]) => {
        try {
          const res = await fetch(`${url}/api/tasks/${id}/status`, {
            headers: { authorization: `Bearer ${keys[info.tenant]}` },
            signal: AbortSignal.timeout(5000),
          });
          if (res.status !== 200) {
            await res.body?.cancel();
            return;
          }
          const body = (await res.json()) as { status?: string; error?: unknown };
          if (body.status === 'failed' && failures.length < 5) failures.push(body.error ?? body);
          if (body.status === 'completed' || body.status === 'failed') {
            open.delete(id);
            final[body.status] = (final[body.status] ?? 0) + 1;
            doneAfter.push(Date.now() - startedAt - info.at);
          }
        } catch {
          // Not answered this time (a region or Redis may be down): asked again next round.
        }
      }),
    );
    if (open.size > 0) await sleep(500);
  }
  return {
    submitted,
    final,
    unfinished: open.size,
    waitedSeconds: (Date.now() - t0) / 1000,
    submitToDone: latencySummary(doneAfter),
    failures,
  };
}
