/**
 * Cost of decodeAudio (sniff + decode + downmix + resample to 16 kHz + peak normalise) for a
 * 10 s and a 60 s clip in each input format, p50/p95 over warm runs. Clips are the committed
 * speech fixture looped by ffmpeg into a temp dir (needs ffmpeg). Prints figures only.
 *
 *   node bin/run-ts.mjs bench/audio-decode.ts [--runs 15]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { decodeAudio } from '../region-backend/audio/decode.ts';
import { resample } from '../region-backend/audio/resample.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(values.runs);
const SOURCE = join(import.meta.dirname, '../test/fixtures/audio/speech-s16-16k-mono.wav');

const INPUTS: Array<{ label: string; ext: string; args: string[] }> = [
  {
    label: 'WAV s16 16 kHz mono',
    ext: 'wav',
    args: ['-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le'],
  },
  {
    label: 'WAV s16 44.1 kHz stereo',
    ext: 'wav',
    args: ['-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le'],
  },
  {
    label: 'WAV f32 48 kHz mono',
    ext: 'wav',
    args: ['-ar', '48000', '-ac', '1', '-c:a', 'pcm_f32le'],
  },
  { label: 'FLAC 16 kHz mono', ext: 'flac', args: ['-ar', '16000', '-ac', '1', '-c:a', 'flac'] },
  {
    label: 'FLAC 44.1 kHz stereo',
    ext: 'flac',
    args: ['-ar', '44100', '-ac', '2', '-c:a', 'flac'],
  },
  {
    label: 'MP3 44.1 kHz stereo 128k',
    ext: 'mp3',
    args: ['-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k'],
  },
  {
    label: 'Ogg Vorbis 48 kHz mono',
    ext: 'ogg',
    args: ['-ar', '48000', '-ac', '1', '-c:a', 'libvorbis'],
  },
  {
    label: 'Ogg Opus 48 kHz mono 32k',
    ext: 'opus',
    args: ['-ac', '1', '-c:a', 'libopus', '-b:a', '32k'],
  },
];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

async function time(fn: () => unknown): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up: JIT, WASM instances in the pool
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 0.5), p95: pct(ms, 0.95) };
}

const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}`,
);
console.log(`runs per row: ${RUNS} (after 3 warm-up runs)\n`);
const dir = mkdtempSync(join(tmpdir(), 'falign-bench-audio-'));
try {
  const limits = { minSeconds: 0.1, maxSeconds: 3600 };
  console.log('| input | clip | bytes | p50 ms | p95 ms | x real time (p50) |');
  console.log('|---|---|---|---|---|---|');
  for (const seconds of [10, 60]) {
    for (const input of INPUTS) {
      const file = join(dir, `${seconds}.${input.ext}`);
      execFileSync('ffmpeg', [
        ...['-nostdin', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', SOURCE],
        ...['-t', String(seconds), ...input.args, file],
      ]);
      const bytes = new Uint8Array(readFileSync(file));
      const { p50, p95 } = await time(() => decodeAudio(bytes, limits));
      const speed = Math.round((seconds * 1000) / p50);
      console.log(
        `| ${input.label} | ${seconds} s | ${bytes.length} | ${p50.toFixed(2)} | ${p95.toFixed(2)} | ${speed}x |`,
      );
    }
  }
  console.log('\nResampler alone (mono, 60 s):');
  for (const rate of [8000, 22050, 44100, 48000]) {
    const x = new Float32Array(rate * 60).map((_, i) => Math.sin(i * 0.05) * 0.5);
    const { p50 } = await time(() => resample(x, rate, 16000));
    // The same job with libsamplerate-js (WASM), fastest sinc mode, for comparison.
    const src = await libsamplerate.create(1, rate, 16000, {
      converterType: libsamplerate.ConverterType.SRC_SINC_FASTEST,
    });
    const lsr = await time(() => src.simple(x));
    src.destroy();
    console.log(
      `  ${rate} Hz -> 16 kHz: p50 ${p50.toFixed(1)} ms (libsamplerate-js SINC_FASTEST: ${lsr.p50.toFixed(1)} ms)`,
    );
  }
  console.log(
    `\nload average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
