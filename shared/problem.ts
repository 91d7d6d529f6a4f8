/**
 * RFC 9457 problem details, the one error shape of every endpoint (edge and backends).
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id?: string;
  retry_after?: number;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://falign.dev/problems/';

/** Stable problem types; the URL path is the code clients can switch on. */
export const PROBLEM_TYPES = {
  badRequest: { status: 400, title: 'Bad request' },
  invalidAudio: { status: 400, title: 'Audio could not be decoded' },
  unauthorized: { status: 401, title: 'Missing or invalid API key' },
  forbidden: { status: 403, title: 'Forbidden' },
  notFound: { status: 404, title: 'Not found' },
  methodNotAllowed: { status: 405, title: 'Method not allowed' },
  notAcceptable: { status: 406, title: 'Not acceptable' },
  payloadTooLarge: { status: 413, title: 'Payload too large' },
  unsupportedMediaType: { status: 415, title: 'Unsupported media type' },
  validation: { status: 422, title: 'Invalid request' },
  unsupportedLanguage: { status: 422, title: 'Unsupported language' },
  audioTooShort: { status: 422, title: 'Audio too short' },
  audioTooLong: { status: 422, title: 'Audio too long' },
  idempotencyConflict: { status: 422, title: 'Idempotency key reused with a different payload' },
  rateLimited: { status: 429, title: 'Rate limit exceeded' },
  internal: { status: 500, title: 'Internal error' },
  badGateway: { status: 502, title: 'Bad gateway' },
  overloaded: { status: 503, title: 'Service overloaded' },
  engineUnavailable: { status: 503, title: 'Alignment engine unavailable' },
  noRegion: { status: 503, title: 'No healthy region' },
  timeout: { status: 504, title: 'Timed out' },
} as const;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

/** Builds a problem body for `code`. */
export function problem(
  code: ProblemCode,
  detail: string,
  extra: { request_id?: string; retry_after?: number; [k: string]: unknown } = {},
): ProblemDetails {
  const t = PROBLEM_TYPES[code];
  return {
    type: TYPE_BASE + code.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
    title: t.title,
    status: t.status,
    detail,
    ...extra,
  };
}

/**
 * An error that carries its problem code; thrown anywhere, answered by the app's onError.
 * Secrets must never be put into `detail`.
 */
export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: {
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.code = code;
    this.status = PROBLEM_TYPES[code].status;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  toProblem(requestId?: string): ProblemDetails {
    return problem(this.code, this.message, {
      ...this.extra,
      ...(requestId ? { request_id: requestId } : {}),
    });
  }

  /** A Web-standard Response, with Retry-After when the problem has one. */
  toResponse(requestId?: string): Response {
    return problemResponse(this.toProblem(requestId), this.headers);
  }
}

/** A Web-standard Response for a problem body. */
export function problemResponse(
  body: ProblemDetails,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: problemHeaders(body, headers),
  });
}

/** The headers of a problem response: `headers`, its content type, and Retry-After if due. */
export function problemHeaders(
  body: ProblemDetails,
  headers: Record<string, string> = {},
): Record<string, string> {
  const h: Record<string, string> = { ...headers, 'content-type': PROBLEM_CONTENT_TYPE };
  const hasRetryAfter = Object.keys(headers).some((k) => k.toLowerCase() === 'retry-after');
  if (body.retry_after !== undefined && !hasRetryAfter) {
    h['retry-after'] = String(Math.max(1, Math.ceil(body.retry_after)));
  }
  return h;
}

const CODE_BY_STATUS: Record<number, ProblemCode> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  405: 'methodNotAllowed',
  406: 'notAcceptable',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
  422: 'validation',
  429: 'rateLimited',
  503: 'overloaded',
  504: 'timeout',
};

/** The problem code for an HTTP status from a framework error (e.g. Hono's HTTPException). */
export function problemCodeForStatus(status: number): ProblemCode {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'badRequest');
}
