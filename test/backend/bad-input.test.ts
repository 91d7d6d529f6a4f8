import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../region-backend/audio/decode.ts';
import { ApiKeyService } from '../../region-backend/keys/api-key-service.ts';
import { FileApiKeyStore } from '../../region-backend/keys/file-api-key-store.ts';
import { type BackendProcess, startBackendProcess } from '../support/backend-process.ts';
import { buildWav, tone } from '../support/wav-builder.ts';

/**
 * Hostile and broken requests against a real `falign serve` process on the served default
 * engine: each gets its own specific 4xx problem+json, and the server stays healthy with
 * bounded memory afterwards.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures/audio');
const LIMITS = {
  FA_MAX_BODY_BYTES: String(2 * 1024 * 1024),
  FA_MAX_AUDIO_SECONDS: '20',
  FA_MAX_TEXT_CHARS: '2000',
};

let server: BackendProcess;
let dataDir: string;
let key: string;
let speech: Uint8Array;
let mp3: Uint8Array;
let flac: Uint8Array;
let ogg: Uint8Array;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'falign-bad-input-'));
  const keys = new ApiKeyService(new FileApiKeyStore(join(dataDir, 'api-keys.json')));
  key = (await keys.create({ tenant: 'fuzz', requests: 100_000 })).key;
  server = await startBackendProcess({
    ...LIMITS,
    FA_DATA_DIR: dataDir,
    FA_ENGINE: 'dtw',
  });
  speech = new Uint8Array(await readFile(join(FIXTURES, 'speech-s16-16k-mono.wav')));
  mp3 = new Uint8Array(await readFile(join(FIXTURES, 'speech-44k-stereo.mp3')));
  flac = new Uint8Array(await readFile(join(FIXTURES, 'speech-44k-stereo.flac')));
  ogg = new Uint8Array(await readFile(join(FIXTURES, 'speech-44k-stereo-vorbis.ogg')));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

type Part = Uint8Array | string | { bytes: Uint8Array; filename: string };
interface Case {
  name: string;
  status: number;
  /** The problem type must end with this code. */
  type: string;
  request: () => { body: BodyInit; headers?: Record<string, string> };
}

function multipart(parts: Record<string, Part | undefined>): { body: BodyInit } {
  const f = new FormData();
  for (const [k, v] of Object.entries(parts)) {
    if (v === undefined) continue;
    if (typeof v === 'string') f.set(k, v);
    else if (v instanceof Uint8Array) f.set(k, new Blob([new Uint8Array(v)]), `${k}.bin`);
    else f.set(k, new Blob([new Uint8Array(v.bytes)]), v.filename);
  }
  return { body: f };
}
const good = { text: 'the quick brown fox jumps over the lazy dog', language: 'English' };
const withAudio = (audio: Uint8Array, extra: Record<string, Part | undefined> = {}) =>
  multipart({ audio, ...good, ...extra });
const json = (value: unknown) => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});

const corrupt = (bytes: Uint8Array, from: number) => {
  const out = bytes.slice();
  let seed = 12345;
  for (let i = from; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = seed & 0xff;
  }
  return out;
};
const random = (n: number) => {
  const out = new Uint8Array(n);
  let seed = 99;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = seed >> 16;
  }
  return out;
};
const nanWav = () => {
  const s = tone(1, 16000);
  s[500] = Number.NaN;
  return buildWav({ sampleRate: 16000, channels: 1, format: 3, samples: s });
};
const infWav = () => {
  const s = tone(1, 16000);
  s[9] = Number.POSITIVE_INFINITY;
  return buildWav({ sampleRate: 16000, channels: 1, format: 3, samples: s });
};
const withHeader = (bytes: Uint8Array, edit: (v: DataView) => void) => {
  const out = bytes.slice();
  edit(new DataView(out.buffer));
  return out;
};

const cases: Case[] = [
  {
    name: 'empty audio file',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(new Uint8Array(0)),
  },
  {
    name: 'random bytes',
    status: 415,
    type: 'unsupported-media-type',
    request: () => withAudio(random(4096)),
  },
  {
    name: 'WAV cut inside its header',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(speech.slice(0, 30)),
  },
  {
    name: 'RIFF header only',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(speech.slice(0, 12)),
  },
  {
    // Decoders go by the bytes present, never the header's claim: 64 bytes are 2 ms.
    name: 'WAV header claiming 10^9 samples over 64 bytes of data',
    status: 422,
    type: 'audio-too-short',
    request: () =>
      withAudio(withHeader(speech.slice(0, 44 + 64), (v) => v.setUint32(40, 2_000_000_000, true))),
  },
  {
    name: 'WAV with zero channels',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(withHeader(speech, (v) => v.setUint16(22, 0, true))),
  },
  {
    name: 'WAV with sample rate 0',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(withHeader(speech, (v) => v.setUint32(24, 0, true))),
  },
  {
    name: 'WAV with 7-bit samples',
    status: 415,
    type: 'unsupported-media-type',
    request: () => withAudio(withHeader(speech, (v) => v.setUint16(34, 7, true))),
  },
  { name: 'NaN samples', status: 400, type: 'invalid-audio', request: () => withAudio(nanWav()) },
  {
    name: 'Infinity samples',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(infWav()),
  },
  {
    name: 'corrupt MP3',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(corrupt(mp3, 1200)),
  },
  {
    name: 'corrupt FLAC',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(corrupt(flac, 4)),
  },
  {
    name: 'corrupt OGG',
    status: 400,
    type: 'invalid-audio',
    request: () => withAudio(corrupt(ogg, 40)),
  },
  {
    name: '0.05 s of audio',
    status: 422,
    type: 'audio-too-short',
    request: () =>
      withAudio(buildWav({ sampleRate: 16000, channels: 1, samples: tone(0.05, 16000) })),
  },
  {
    name: 'audio over the duration limit',
    status: 422,
    type: 'audio-too-long',
    request: () => withAudio(buildWav({ sampleRate: 8000, channels: 1, samples: tone(25, 8000) })),
  },
  {
    name: 'empty text',
    status: 422,
    type: 'validation',
    request: () => withAudio(speech, { text: '' }),
  },
  {
    name: 'punctuation-only text',
    status: 422,
    type: 'validation',
    request: () => withAudio(speech, { text: '... -- !!' }),
  },
  {
    name: 'text over the limit',
    status: 413,
    type: 'payload-too-large',
    request: () => withAudio(speech, { text: 'word '.repeat(600) }),
  },
  {
    name: 'text not valid UTF-8',
    status: 400,
    type: 'bad-request',
    request: () =>
      withAudio(speech, {
        text: { bytes: new Uint8Array([0x68, 0x69, 0xff, 0xfe, 0x20, 0xc3]), filename: 't.txt' },
      }),
  },
  {
    name: 'unknown language',
    status: 422,
    type: 'unsupported-language',
    request: () => withAudio(speech, { language: 'Klingon' }),
  },
  { name: 'missing audio', status: 422, type: 'validation', request: () => multipart({ ...good }) },
  {
    name: 'missing text',
    status: 422,
    type: 'validation',
    request: () => multipart({ audio: speech, language: 'en' }),
  },
  {
    name: 'missing language',
    status: 422,
    type: 'validation',
    request: () => multipart({ audio: speech, text: 'hello' }),
  },
  {
    name: 'audio sent as a text field',
    status: 422,
    type: 'validation',
    request: () => multipart({ ...good, audio: 'RIFF....' }),
  },
  {
    name: 'unknown format',
    status: 422,
    type: 'validation',
    request: () => withAudio(speech, { format: 'docx' }),
  },
  {
    name: 'unknown engine',
    status: 422,
    type: 'validation',
    request: () => withAudio(speech, { engine: 'whisper' }),
  },
  {
    name: 'wrong content type',
    status: 415,
    type: 'unsupported-media-type',
    request: () => ({ body: 'audio please', headers: { 'content-type': 'text/plain' } }),
  },
  {
    name: 'multipart with a broken boundary',
    status: 400,
    type: 'bad-request',
    request: () => ({
      body: '--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi',
      headers: { 'content-type': 'multipart/form-data; boundary=abc' },
    }),
  },
  {
    name: 'body over the size limit',
    status: 413,
    type: 'payload-too-large',
    request: () => withAudio(random(3 * 1024 * 1024)),
  },
  {
    name: 'body over the size limit, sent chunked (no Content-Length)',
    status: 413,
    type: 'payload-too-large',
    request: () => {
      const bytes = random(3 * 1024 * 1024);
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(at, at + 64 * 1024));
          at += 64 * 1024;
        },
      });
      return { body, headers: { 'content-type': 'multipart/form-data; boundary=x' } };
    },
  },
  {
    name: 'invalid JSON',
    status: 400,
    type: 'bad-request',
    request: () => ({ body: '{"text": "hi",', headers: { 'content-type': 'application/json' } }),
  },
  {
    name: 'JSON that is not an object',
    status: 422,
    type: 'validation',
    request: () => json([1, 2, 3]),
  },
  {
    name: 'JSON with both audio and audio_url',
    status: 422,
    type: 'validation',
    request: () => json({ ...good, audio: 'AAAA', audio_url: 'https://example.invalid/a.wav' }),
  },
  {
    name: 'JSON with neither audio nor audio_url',
    status: 422,
    type: 'validation',
    request: () => json(good),
  },
  {
    name: 'JSON audio not base64',
    status: 422,
    type: 'validation',
    request: () => json({ ...good, audio: '***not base64***' }),
  },
  {
    name: 'JSON text not a string',
    status: 422,
    type: 'validation',
    request: () => json({ ...good, text: 42, audio: 'AAAA' }),
  },
  {
    name: 'JSON with an unknown field',
    status: 422,
    type: 'validation',
    request: () => json({ ...good, audio: 'AAAA', speed: 'fast' }),
  },
  {
    name: 'JSON body with invalid UTF-8',
    status: 400,
    type: 'bad-request',
    request: () => ({
      body: new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      headers: { 'content-type': 'application/json' },
    }),
  },
];

async function send(c: Case): Promise<Response> {
  const { body, headers } = c.request();
  return fetch(`${server.url}/api/align`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${key}`, prefer: 'wait=30', ...headers },
    // A stream body goes out chunked, with no Content-Length.
    duplex: 'half',
  } as RequestInit);
}

async function rssBytes(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)![1]);
}

describe('bad input', () => {
  it(`has at least 30 cases`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(`${c.name} -> ${c.status} ${c.type}`, async () => {
      const res = await send(c);
      const body = await res.json();
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect({ status: res.status, type: body.type }).toEqual({
        status: c.status,
        type: expect.stringMatching(new RegExp(`/${c.type}$`)),
      });
      expect(body.detail.length).toBeGreaterThan(10);
      expect(body.request_id).toBeTruthy();
    });
  }

  it('accepts unusual but valid audio: 8 channels, 192 kHz', async () => {
    // Real speech, spread over 8 channels, or upsampled 12x (linear) to 192 kHz.
    const { samples } = await decodeAudio(speech, { maxSeconds: 60, minSeconds: 0 });
    const eight = new Float32Array(samples.length * 8).map((_, i) => samples[i >> 3]!);
    const up = new Float32Array(samples.length * 12).map((_, i) => {
      const a = samples[Math.floor(i / 12)]!;
      const b = samples[Math.min(samples.length - 1, Math.floor(i / 12) + 1)]!;
      return a + ((b - a) * (i % 12)) / 12;
    });
    for (const [rate, channels, data] of [
      [16000, 8, eight],
      [192000, 1, up],
    ] as const) {
      const wav = buildWav({ sampleRate: rate, channels, samples: data });
      const res = await send({ name: '', status: 200, type: '', request: () => withAudio(wav) });
      expect(res.status, `${channels} ch @ ${rate} Hz`).toBe(200);
      expect((await res.json()).duration).toBeCloseTo(samples.length / 16000, 2);
    }
  });

  it('stays healthy, with bounded memory, after every case three more times', async () => {
    const before = await rssBytes();
    for (let round = 0; round < 3; round++) {
      for (const c of cases) await (await send(c)).arrayBuffer();
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const ok = await send({ name: '', status: 200, type: '', request: () => withAudio(speech) });
    expect(ok.status).toBe(200);
    const after = await rssBytes();
    expect(after - before).toBeLessThan(150 * 1024 * 1024);
    expect(server.output()).not.toContain(key);
  });
});
