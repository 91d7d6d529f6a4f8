import { type ProblemDetails, ProblemError, problem } from '../../shared/problem.ts';
import { OutboundFetchError, OutboundRefusedError } from '../net/outbound-errors.ts';

/**
 * Maps an error met while running a task to the problem stored with it, and says whether a
 * retry could help: bad input (4xx) never gets better, an outage (5xx) may.
 */
export function taskProblem(err: unknown): { problem: ProblemDetails; retryable: boolean } {
  if (err instanceof ProblemError) {
    return { problem: err.toProblem(), retryable: err.status >= 500 };
  }
  if (err instanceof OutboundRefusedError) {
    return {
      problem: problem('validation', `audio_url refused: ${err.message}`, { field: 'audio_url' }),
      retryable: false,
    };
  }
  if (err instanceof OutboundFetchError) {
    if (err.reason === 'too-large') {
      return {
        problem: problem('payloadTooLarge', `audio_url: ${err.message}`, { field: 'audio_url' }),
        retryable: false,
      };
    }
    const clientError = err.reason === 'status' && / HTTP 4\d\d$/.test(err.message);
    return {
      problem: problem(clientError ? 'validation' : 'badGateway', `audio_url: ${err.message}`, {
        field: 'audio_url',
      }),
      retryable: !clientError,
    };
  }
  return {
    problem: problem('internal', `alignment failed: ${(err as Error)?.message ?? String(err)}`),
    retryable: true,
  };
}
