import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  type ProblemDetails,
  ProblemError,
  problem,
  problemCodeForStatus,
  problemHeaders,
} from '../shared/problem.ts';
import type { EdgeEnv } from './env.ts';

const requestIdOf = (c: Context<EdgeEnv>) => c.get('requestId') as string | undefined;

/**
 * The problem as the request's response, built through the context so the headers set on the
 * way (request id, RateLimit) are on it too.
 */
function answer(c: Context<EdgeEnv>, body: ProblemDetails, headers?: Record<string, string>) {
  return c.newResponse(
    JSON.stringify(body),
    body.status as ContentfulStatusCode,
    problemHeaders(body, headers),
  );
}

/**
 * Every error as RFC 9457 problem+json with the request id. Unexpected errors are logged
 * (without the request's headers, which carry keys) and answered as a generic 500.
 */
export const problemHandler: ErrorHandler<EdgeEnv> = (err, c) => {
  const requestId = requestIdOf(c);
  if (err instanceof ProblemError) return answer(c, err.toProblem(requestId), err.headers);
  if (err instanceof HTTPException && err.status < 500) {
    const code = problemCodeForStatus(err.status);
    return answer(c, problem(code, err.message || 'bad request', { request_id: requestId }));
  }
  console.error(JSON.stringify({ level: 'error', request_id: requestId, error: String(err) }));
  return answer(
    c,
    problem('internal', 'an unexpected error occurred at the edge', { request_id: requestId }),
  );
};

export const problemNotFound: NotFoundHandler<EdgeEnv> = (c) =>
  answer(
    c,
    problem('notFound', `no route for ${c.req.method} ${c.req.path}`, {
      request_id: requestIdOf(c),
    }),
  );
