import type { Handler } from 'hono';
import { ProblemError } from './problem.ts';

/**
 * The answer for a path that exists but not for the method asked: 405 problem+json with
 * `Allow` (RFC 9110 §15.5.6), instead of a 404 that suggests a wrong URL. Mount it with
 * `.all()` after the path's own handlers.
 *
 * @example
 * ```ts
 * route.post('/', alignHandler);
 * route.all('/', methodNotAllowed('POST'));
 * ```
 */
export function methodNotAllowed(...allowed: string[]): Handler {
  const allow = allowed.join(', ');
  return (c) => {
    throw new ProblemError(
      'methodNotAllowed',
      `${c.req.method} is not served at ${c.req.path}; use ${allow}`,
      { headers: { allow } },
    );
  };
}
