import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  type ProblemCode,
  ProblemError,
  problem,
  problemCodeForStatus,
  problemResponse,
} from '../../shared/problem.ts';
import { EngineInputError } from '../engines/engine.ts';
import type { Logger } from '../logging.ts';
import type { BackendEnv } from './env.ts';

/** An error that asks the client to come back later (queue full, breaker open). */
interface RetryableError extends Error {
  retryAfterSeconds: number;
}
const isRetryable = (err: unknown): err is RetryableError =>
  err instanceof Error && typeof (err as Partial<RetryableError>).retryAfterSeconds === 'number';

/** Maps any thrown error to RFC 9457 problem+json. Only unexpected faults become 500s, and are logged. */
export function problemHandler(logger: Logger): ErrorHandler<BackendEnv> {
  return (err, c) => toProblemResponse(err, c, logger);
}

export function toProblemResponse(err: unknown, c: Context<BackendEnv>, logger: Logger): Response {
  const requestId = c.get('requestId');
  if (err instanceof ProblemError) return err.toResponse(requestId);
  if (err instanceof EngineInputError) {
    return problemResponse(problem('validation', err.message, { request_id: requestId }));
  }
  if (isRetryable(err)) {
    const retry = Math.max(1, Math.ceil(err.retryAfterSeconds));
    const code: ProblemCode =
      err.name === 'EngineUnavailableError' ? 'engineUnavailable' : 'overloaded';
    return problemResponse(
      problem(code, err.message, { request_id: requestId, retry_after: retry }),
    );
  }
  if (err instanceof HTTPException) {
    const code = problemCodeForStatus(err.status);
    return problemResponse(
      problem(code, err.message || problem(code, '').title, { request_id: requestId }),
    );
  }
  logger.error({ err, request_id: requestId }, 'unhandled error');
  return problemResponse(
    problem('internal', 'an unexpected error occurred; it has been logged', {
      request_id: requestId,
    }),
  );
}

export const problemNotFound: NotFoundHandler<BackendEnv> = (c) =>
  problemResponse(
    problem('notFound', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`, {
      request_id: c.get('requestId'),
    }),
  );
