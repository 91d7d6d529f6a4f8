import { expect } from 'vitest';
import { ProblemError } from '../../shared/problem.ts';

/** Awaits `promise`, expecting a ProblemError with `code`; returns it for further checks. */
export async function expectProblem(
  promise: Promise<unknown>,
  code: string,
): Promise<ProblemError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    const p = e as ProblemError;
    expect({ code: p.code, detail: p.message }).toMatchObject({ code });
    expect(p.status).toBeGreaterThanOrEqual(400);
    expect(p.status).toBeLessThan(500);
    return p;
  }
  throw new Error(`expected a ${code} problem, but it resolved`);
}
