import { z } from '@hono/zod-openapi';
import { LANGUAGE_NAMES } from './languages.ts';

/**
 * Request and response schemas of the public API (DESIGN §3). The OpenAPI document is generated
 * from these, and the JSON request body is validated with them.
 */
export const OUTPUT_FORMATS = ['json', 'srt', 'vtt', 'textgrid', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const AlignJsonRequestSchema = z
  .object({
    audio: z
      .string()
      .optional()
      .openapi({ description: 'Audio file bytes, base64. Exactly one of audio and audio_url.' }),
    audio_url: z
      .url()
      .optional()
      .openapi({ description: 'HTTPS URL the service fetches the audio from.' }),
    text: z.string().openapi({ description: 'The transcript, UTF-8.', example: 'Hello world.' }),
    language: z.string().openapi({
      description: `One of ${LANGUAGE_NAMES.join(', ')}, or an ISO 639-1/639-3 code; case-insensitive.`,
      example: 'English',
    }),
    format: z
      .enum(OUTPUT_FORMATS)
      .optional()
      .openapi({ description: 'Result format (default json).' }),
    engine: z
      .string()
      .optional()
      .openapi({ description: "Engine id ('qwen3', 'dtw'); default: the region's." }),
    webhook_url: z
      .url()
      .optional()
      .openapi({ description: 'POSTed the result when an async task ends.' }),
  })
  .strict()
  .openapi('AlignJsonRequest');

export const AlignMultipartRequestSchema = z
  .object({
    audio: z.any().openapi({ type: 'string', format: 'binary', description: 'The audio file.' }),
    text: z.string(),
    language: z.string(),
    format: z.enum(OUTPUT_FORMATS).optional(),
    engine: z.string().optional(),
    webhook_url: z.string().optional(),
  })
  .openapi('AlignMultipartRequest');

export const AlignedWordSchema = z
  .object({
    text: z.string().openapi({
      description: 'The word as written in the transcript, without surrounding punctuation.',
    }),
    start: z.number().openapi({ description: 'Seconds, 3 decimals.' }),
    end: z.number(),
    confidence: z.number().min(0).max(1),
    char_start: z
      .number()
      .int()
      .openapi({ description: 'Code-point offset into the transcript as sent.' }),
    char_end: z.number().int().openapi({ description: 'Exclusive code-point offset.' }),
    status: z.enum(['aligned', 'interpolated', 'not_found']),
  })
  .openapi('AlignedWord');

export const EngineInfoSchema = z
  .object({ name: z.string(), model: z.string(), revision: z.string() })
  .openapi('EngineInfo');

export const AlignmentResultSchema = z
  .object({
    task_id: z.string(),
    language: z.enum(LANGUAGE_NAMES as [string, ...string[]]),
    duration: z.number().openapi({ description: 'Audio duration in seconds.' }),
    engine: EngineInfoSchema,
    words: z.array(AlignedWordSchema),
    cached: z.boolean(),
    timing: z.object({ queue_ms: z.number(), compute_ms: z.number() }),
  })
  .openapi('AlignmentResult');

export const TaskAcceptedSchema = z
  .object({
    status: z.literal('accepted'),
    task_id: z.string(),
    estimated_wait_time: z
      .number()
      .openapi({ description: 'Seconds, estimated from queue depth.' }),
  })
  .openapi('TaskAccepted');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    request_id: z.string().optional(),
    retry_after: z.number().optional(),
  })
  .openapi('Problem');
