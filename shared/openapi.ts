import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import {
  AlignJsonRequestSchema,
  AlignMultipartRequestSchema,
  AlignmentResultSchema,
  ProblemSchema,
  TaskAcceptedSchema,
} from './schemas.ts';

const problemResponses = Object.fromEntries(
  [
    [400, 'Malformed request or undecodable audio'],
    [401, 'Missing or invalid API key'],
    [413, 'Body, audio or text over the limit'],
    [415, 'Unsupported content type or audio format'],
    [422, 'Invalid field (language, engine, text, duration)'],
    [429, 'Rate limited (see Retry-After)'],
    [503, 'Overloaded or engine unavailable (see Retry-After)'],
  ].map(([status, description]) => [
    String(status),
    {
      description: String(description),
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  ]),
);

/**
 * Registers the public API's paths on an OpenAPIHono app's registry; the app then serves the
 * document with `app.doc31('/openapi.json', ...)`. Edge and backends register the same paths.
 */
export function registerPublicApi<E extends Env>(app: OpenAPIHono<E>): void {
  const r = app.openAPIRegistry;
  r.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer' });
  r.registerPath({
    method: 'post',
    path: '/api/align',
    summary: 'Align a transcript to audio',
    description:
      'With `Prefer: wait=N` the result comes back (200) when ready within N seconds, else 202 with a task.',
    security: [{ apiKey: [] }],
    request: {
      headers: z.object({ prefer: z.string().optional().openapi({ example: 'wait=30' }) }),
      body: {
        content: {
          'multipart/form-data': { schema: AlignMultipartRequestSchema },
          'application/json': { schema: AlignJsonRequestSchema },
        },
      },
    },
    responses: {
      200: {
        description: 'Word timings (JSON, or the requested format)',
        content: {
          'application/json': { schema: AlignmentResultSchema },
          'application/x-subrip': { schema: z.string() },
          'text/vtt': { schema: z.string() },
          'text/csv': { schema: z.string() },
          'text/plain': { schema: z.string().openapi({ description: 'Praat TextGrid' }) },
        },
      },
      202: {
        description: 'Accepted as a task',
        content: { 'application/json': { schema: TaskAcceptedSchema } },
      },
      ...problemResponses,
    },
  });
  for (const path of ['/health', '/ready']) {
    r.registerPath({
      method: 'get',
      path,
      responses: {
        200: {
          description: 'OK',
          content: { 'application/json': { schema: z.object({ status: z.string() }) } },
        },
        503: { description: 'Not healthy / not ready' },
      },
    });
  }
}

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'falign: forced alignment API',
    version: '1.0.0',
    description:
      'Word-level timings for speech audio and its transcript (Qwen3-ForcedAligner-0.6B).',
  },
} as const;
