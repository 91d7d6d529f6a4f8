import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ProblemError, problem, problemCodeForStatus, problemResponse } from '../shared/problem.ts';
import type { EdgeEnv } from './env.ts';

const requestIdOf = (c: Context<EdgeEnv>) => c.get('requestId') as string | undefined;

/**
 * Every error as RFC 9457 problem+json with the request id. Unexpected errors are logged
 * (without the request's headers, which carry keys) and answered as a generic 500.
 */
export const problemHandler: ErrorHandler<EdgeEnv> = (err, c) => {
  const requestId = requestIdOf(c);
  if (err instanceof ProblemError) return err.toResponse(requestId);
  if (err instanceof HTTPException && err.status < 500) {
    const code = problemCodeForStatus(err.status);
    return problemResponse(problem(code, err.message || 'bad request', { request_id: requestId }));
  }
  console.error(JSON.stringify({ level: 'error', request_id: requestId, error: String(err) }));
  return problemResponse(
    problem('internal', 'an unexpected error occurred at the edge', { request_id: requestId }),
  );
};

export const problemNotFound: NotFoundHandler<EdgeEnv> = (c) =>
  problemResponse(
    problem('notFound', `no route for ${c.req.method} ${c.req.path}`, {
      request_id: requestIdOf(c),
    }),
  );
