import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import {
  AlignJsonRequestSchema,
  AlignMultipartRequestSchema,
  AlignmentResultSchema,
  OUTPUT_FORMATS,
  ProblemSchema,
  TaskAcceptedSchema,
} from './schemas.ts';
import { BatchAcceptedSchema, BatchStatusSchema, TaskStatusSchema } from './tasks.ts';

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

/** A result in every format the API renders. */
const resultContent = {
  'application/json': { schema: AlignmentResultSchema },
  'application/x-subrip': { schema: z.string() },
  'text/vtt': { schema: z.string() },
  'text/csv': { schema: z.string() },
  'text/plain': { schema: z.string().openapi({ description: 'Praat TextGrid' }) },
};

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
      headers: z.object({
        prefer: z.string().optional().openapi({ example: 'wait=30' }),
        'idempotency-key': z
          .string()
          .optional()
          .openapi({ description: 'Same key + same payload: the same task; other payload: 422.' }),
      }),
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
        content: resultContent,
      },
      202: {
        description: 'Accepted as a task',
        content: { 'application/json': { schema: TaskAcceptedSchema } },
      },
      ...problemResponses,
    },
  });
  registerTaskApi(r);
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

/** The async task paths (DESIGN §2-§3; docs/async.md). */
function registerTaskApi(r: OpenAPIHono['openAPIRegistry']): void {
  const taskId = z.object({ taskId: z.string().openapi({ example: 'task_6f1c...' }) });
  const notFound = {
    404: {
      description: "No such task for this tenant (another tenant's task is 404 too)",
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  };
  r.registerPath({
    method: 'get',
    path: '/api/tasks/{taskId}/status',
    summary: 'Task status',
    security: [{ apiKey: [] }],
    request: { params: taskId },
    responses: {
      200: {
        description: 'queued, processing, completed or failed (with problem details)',
        content: { 'application/json': { schema: TaskStatusSchema } },
      },
      ...notFound,
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/tasks/{taskId}/result',
    summary: 'Task result',
    description:
      'The result in `?format=` or the `Accept` format (default: the one asked at submission, else JSON). 202 with the status while not done; a failed task answers its problem.',
    security: [{ apiKey: [] }],
    request: {
      params: taskId,
      query: z.object({ format: z.enum(OUTPUT_FORMATS).optional() }),
    },
    responses: {
      200: {
        description: 'Word timings',
        content: resultContent,
      },
      202: {
        description: 'Not done yet',
        content: { 'application/json': { schema: TaskStatusSchema } },
      },
      ...notFound,
    },
  });
  r.registerPath({
    method: 'post',
    path: '/api/align/batch',
    summary: 'Submit many alignments',
    description:
      'JSON `{"items": [AlignJsonRequest, ...]}` or multipart with repeated `audio` parts and `text` fields in the same order (`language` once or per item). One task per item. `Idempotency-Key` covers the whole batch.',
    security: [{ apiKey: [] }],
    request: {
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      body: {
        content: {
          'application/json': { schema: z.object({ items: z.array(AlignJsonRequestSchema) }) },
          'multipart/form-data': { schema: AlignMultipartRequestSchema },
        },
      },
    },
    responses: {
      202: {
        description: 'Accepted',
        content: { 'application/json': { schema: BatchAcceptedSchema } },
      },
      ...problemResponses,
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/align/batch/{batchId}',
    summary: 'Batch status (its tasks summarised)',
    security: [{ apiKey: [] }],
    request: { params: z.object({ batchId: z.string() }) },
    responses: {
      200: {
        description: 'Summary',
        content: { 'application/json': { schema: BatchStatusSchema } },
      },
      ...notFound,
    },
  });
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
