import { describe, expect, it } from 'vitest';
import { payloadFingerprint } from '../../region-backend/tasks/idempotency.ts';
import { InProcessTaskQueue } from '../../region-backend/tasks/in-process-task-queue.ts';
import { type AlignJob, PermanentJobError } from '../../region-backend/tasks/task-queue.ts';
import { WaitEstimator } from '../../region-backend/tasks/wait-estimator.ts';
import { signWebhook, verifyWebhook } from '../../region-backend/tasks/webhook-signature.ts';
import { type BatchRecord, summariseBatch, type TaskRecord } from '../../shared/tasks.ts';

const job = (taskId: string): AlignJob => ({
  taskId,
  tenant: 't',
  text: 'x',
  language: 'English',
});

const until = async (cond: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('InProcessTaskQueue', () => {
  it('runs each job id once, retries with backoff, stops on a permanent error', async () => {
    const q = new InProcessTaskQueue();
    const runs: Array<{ id: string; attempt: number; final: boolean }> = [];
    q.start(
      {
        align: async (data, ctx) => {
          runs.push({ id: data.taskId, attempt: ctx.attempt, final: ctx.finalAttempt });
          if (data.taskId === 'flaky' && ctx.attempt < 3) throw new Error('outage');
          if (data.taskId === 'bad') throw new PermanentJobError('bad input');
        },
        webhook: async () => {},
      },
      2,
    );
    const opts = (jobId: string) => ({ jobId, attempts: 5, backoffMs: 5 });
    await q.add('align', job('ok'), opts('ok'));
    await q.add('align', job('ok'), opts('ok')); // same id: ignored
    await q.add('align', job('flaky'), opts('flaky'));
    await q.add('align', job('bad'), opts('bad'));
    await until(() => runs.filter((r) => r.id === 'flaky').length === 3);
    await until(() => runs.some((r) => r.id === 'bad'));
    await new Promise((r) => setTimeout(r, 50));
    expect(runs.filter((r) => r.id === 'ok')).toHaveLength(1);
    expect(runs.filter((r) => r.id === 'flaky').map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(runs.filter((r) => r.id === 'bad')).toHaveLength(1);
    // A finished job's id stays taken.
    await q.add('align', job('ok'), opts('ok'));
    await new Promise((r) => setTimeout(r, 20));
    expect(runs.filter((r) => r.id === 'ok')).toHaveLength(1);
    await q.close();
  });

  it('holds delayed jobs until due, and remove() cancels one not yet started', async () => {
    const q = new InProcessTaskQueue();
    const ran: string[] = [];
    q.start({ align: async (d) => void ran.push(d.taskId), webhook: async () => {} }, 1);
    await q.add('align', job('later'), { jobId: 'later', attempts: 1, backoffMs: 1, delayMs: 30 });
    await q.add('align', job('never'), { jobId: 'never', attempts: 1, backoffMs: 1, delayMs: 30 });
    expect((await q.depth()).delayed).toBe(2);
    await q.remove('align', 'never');
    await until(() => ran.length === 1);
    await new Promise((r) => setTimeout(r, 60));
    expect(ran).toEqual(['later']);
    await q.close();
  });

  it('runs at most `concurrency` alignments at a time', async () => {
    const q = new InProcessTaskQueue();
    let active = 0;
    let peak = 0;
    let done = 0;
    q.start(
      {
        align: async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 10));
          active--;
          done++;
        },
        webhook: async () => {},
      },
      3,
    );
    for (let i = 0; i < 10; i++) {
      await q.add('align', job(`j${i}`), { jobId: `j${i}`, attempts: 1, backoffMs: 1 });
    }
    await until(() => done === 10);
    expect(peak).toBe(3);
    await q.close();
  });
});

describe('WaitEstimator', () => {
  it('divides the work ahead by recent throughput, plus one service time', () => {
    let now = 0;
    const e = new WaitEstimator(4, 2, 60_000, () => now);
    expect(e.estimate(8)).toBe(6); // no history: 8 / (4 slots / 2 s) + 2 s
    for (let i = 0; i < 10; i++) {
      now += 500;
      e.record(0.5);
    }
    // 10 tasks in 4.5 s (first to now, at least 1 s) -> 2.22/s; 10 ahead -> 4.5 s + 0.5 s.
    expect(e.estimate(10)).toBeCloseTo(5, 1);
  });
});

describe('idempotency fingerprints and webhook signatures', () => {
  it('fingerprints ignore key order but not values', () => {
    expect(payloadFingerprint([{ a: 1, b: 'x' }])).toBe(payloadFingerprint([{ b: 'x', a: 1 }]));
    expect(payloadFingerprint([{ a: 1 }])).not.toBe(payloadFingerprint([{ a: 2 }]));
    expect(payloadFingerprint([{ a: 1 }, { a: 2 }])).not.toBe(
      payloadFingerprint([{ a: 2 }, { a: 1 }]),
    );
  });

  it('signs timestamp and body; verification refuses any change and old timestamps', () => {
    const sig = signWebhook('s3cret', 1_764_000_000, '{"a":1}');
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    const h = { signature: sig, timestamp: '1764000000' };
    expect(verifyWebhook('s3cret', h, '{"a":1}', 1_764_000_010)).toBe(true);
    expect(verifyWebhook('s3cret', h, '{"a":2}', 1_764_000_010)).toBe(false);
    expect(
      verifyWebhook('s3cret', { ...h, timestamp: '1764000001' }, '{"a":1}', 1_764_000_010),
    ).toBe(false);
    expect(verifyWebhook('s3cret', h, '{"a":1}', 1_764_001_000)).toBe(false);
    expect(verifyWebhook('s3cret', { ...h, signature: null }, '{"a":1}', 1_764_000_010)).toBe(
      false,
    );
  });
});

describe('summariseBatch', () => {
  const batch: BatchRecord = {
    batch_id: 'batch_x',
    tenant: 't',
    task_ids: ['a', 'b', 'c'],
    created_at: '2026-01-01T00:00:00.000Z',
  };
  const rec = (status: TaskRecord['status']) => ({ status }) as TaskRecord;

  it('names the overall state from the tasks', () => {
    expect(summariseBatch(batch, [rec('queued'), rec('queued'), rec('queued')]).status).toBe(
      'queued',
    );
    expect(summariseBatch(batch, [rec('completed'), rec('queued'), rec('queued')]).status).toBe(
      'processing',
    );
    expect(
      summariseBatch(batch, [rec('completed'), rec('completed'), rec('completed')]).status,
    ).toBe('completed');
    const partial = summariseBatch(batch, [rec('completed'), rec('failed'), null]);
    expect(partial.status).toBe('partial');
    expect(partial.counts).toEqual({
      queued: 0,
      processing: 0,
      completed: 1,
      failed: 1,
      missing: 1,
    });
  });
});
