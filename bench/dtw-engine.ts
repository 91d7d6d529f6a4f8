/**
 * dtw engine speed: real-time factor (compute seconds per audio second) on 10 s, 60 s and
 * 5-minute clips of flite speech, through the engine's worker thread, after a warm-up. Prints
 * wall-clock RTF and CPU-time RTF (process CPU seconds, which on a machine shared with other
 * work is the fairer figure: wall time there includes waiting for a core).
 *   node bin/run-ts.mjs bench/dtw-engine.ts [--repeats 3]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio } from '../region-backend/audio/decode.ts';
import { createEngine } from '../region-backend/engines/registry.ts';
import { SENTENCES } from '../region-backend/eval/sentences.ts';
import { fliteWords } from '../region-backend/eval/sources/flite.ts';
import { unitsFor } from '../shared/segmenters.ts';
import { describeMachine } from './machine.ts';

const repeatsFlag = process.argv.indexOf('--repeats');
const repeats = repeatsFlag > 0 ? Number(process.argv[repeatsFlag + 1]) : 3;
const RATE = 16_000;

const dir = await mkdtemp(join(tmpdir(), 'falign-bench-dtw-'));
try {
  // A pool of sentence clips; longer clips are built by concatenation with 0.4 s pauses.
  const clips: Array<{ samples: Float32Array; text: string }> = [];
  for (const [i, text] of SENTENCES.English.entries()) {
    const wav = join(dir, `s${i}.wav`);
    await fliteWords(text, i % 2 ? 'rms' : 'slt', wav);
    const audio = await decodeAudio(new Uint8Array(await readFile(wav)), {
      maxSeconds: 600,
      minSeconds: 0.01,
    });
    clips.push({ samples: audio.samples, text });
  }
  const build = (seconds: number) => {
    const parts: Float32Array[] = [];
    const texts: string[] = [];
    let length = 0;
    for (let k = 0; length < seconds * RATE; k++) {
      const c = clips[k % clips.length]!;
      parts.push(c.samples, new Float32Array(0.4 * RATE));
      texts.push(c.text);
      length += c.samples.length + 0.4 * RATE;
    }
    const samples = new Float32Array(length);
    let at = 0;
    for (const p of parts) {
      samples.set(p, at);
      at += p.length;
    }
    return { samples, text: texts.join(' ') };
  };

  const engine = await createEngine('dtw', { device: 'cpu', threads: 1, maxBatchSize: 1 });
  const run = async (clip: { samples: Float32Array; text: string }) => {
    const units = unitsFor(clip.text, 'English');
    const cpu = process.cpuUsage();
    const started = performance.now();
    await engine.alignBatch([
      { samples: clip.samples, language: 'English', text: clip.text, units },
    ]);
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
  await run(build(10));
  await run(build(60));

  console.log(`dtw engine (${engine.info.model}, revision ${engine.info.revision})`);
  console.log(`${describeMachine()}; one worker thread`);
  console.log(
    'clip    audio s  wall best  wall median  cpu best  RTF wall(best)  RTF wall(median)  RTF cpu(best)',
  );
  for (const seconds of [10, 60, 300]) {
    const clip = build(seconds);
    const audioSeconds = clip.samples.length / RATE;
    const runs: Array<{ wall: number; cpu: number }> = [];
    for (let r = 0; r < repeats; r++) runs.push(await run(clip));
    const walls = runs.map((r) => r.wall).sort((a, b) => a - b);
    const cpuBest = Math.min(...runs.map((r) => r.cpu));
    const best = walls[0]!;
    const median = walls[walls.length >> 1]!;
    console.log(
      [
        `${String(seconds).padStart(4)} s`,
        audioSeconds.toFixed(1).padStart(8),
        best.toFixed(3).padStart(10),
        median.toFixed(3).padStart(12),
        cpuBest.toFixed(3).padStart(9),
        (best / audioSeconds).toFixed(4).padStart(15),
        (median / audioSeconds).toFixed(4).padStart(17),
        (cpuBest / audioSeconds).toFixed(4).padStart(14),
      ].join(' '),
    );
  }
  await engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
