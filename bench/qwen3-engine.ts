/**
 * Benchmark of the qwen3 engine on a full-size synthetic checkpoint (random weights, real
 * shapes): graph build time, session start time, real-time factor and throughput against
 * batch size for 10 s and 60 s clips, achieved GFLOP/s against the machine's MatMul rate
 * measured in the same run, and peak memory. Runs unchanged on CUDA (FA_DEVICE=cuda|auto).
 *
 *   node bin/run-ts.mjs bench/qwen3-engine.ts [--model-dir D] [--clips 10,60] [--batches 1,2,4,8]
 *        [--repeats 1] [--threads 0] [--dtype fp32|fp16]
 *
 * Without --model-dir it synthesises the checkpoint into .data/bench/qwen3-synth (1.8 GB).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  buildGraphs,
  currentBuild,
  defaultGraphDir,
} from '../region-backend/engines/qwen3/graph-build.ts';
import { createQwen3Engine } from '../region-backend/engines/qwen3/index.ts';
import {
  audioTokenCount,
  type Qwen3AlignerConfig,
  readAlignerConfig,
} from '../region-backend/engines/qwen3/model-config.ts';
import { DType, GraphBuilder } from '../region-backend/engines/qwen3/onnx-graph.ts';
import { cudaProviderInstalled } from '../region-backend/engines/qwen3/sessions.ts';
import { writeSyntheticCheckpoint } from '../region-backend/engines/qwen3/synthetic-checkpoint.ts';
import { unitsFor } from '../shared/segmenters.ts';

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    clips: { type: 'string', default: '10,60' },
    batches: { type: 'string', default: '1,2,4,8' },
    repeats: { type: 'string', default: '1' },
    threads: { type: 'string', default: '0' },
    dtype: { type: 'string', default: 'fp32' },
  },
});
const list = (s: string) =>
  s
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((x) => x > 0);
const clips = list(args.clips!);
const batches = list(args.batches!);
const repeats = Math.max(1, Number(args.repeats));
const threads = Number(args.threads) || availableParallelism();
const device = (process.env['FA_DEVICE'] ?? 'auto') as 'auto' | 'cuda' | 'cpu';
const dtype = args.dtype === 'fp16' ? 'fp16' : 'fp32';
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function machine(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    flags = /avx512f/.test(info) ? 'AVX-512' : /avx2/.test(info) ? 'AVX2' : '';
  } catch {}
  return `${model} (${flags}), ${availableParallelism()} cores visible, ${threads} compute threads, FA_DEVICE=${device}`;
}

/** The machine's MatMul rate in the same onnxruntime set-up: [M, K] x [K, N], GFLOP/s. */
async function gemmRate(): Promise<number> {
  const [M, K, N] = [1024, 1024, 4096];
  const g = new GraphBuilder('gemm');
  const x = g.input('x', DType.float, [M, K]);
  const w = g.constFloat(
    Float32Array.from({ length: K * N }, (_, i) => ((i * 2654435761) % 1000) / 1e5),
    [K, N],
    'w',
  );
  g.op('MatMul', [x, w], {}, 'y');
  g.output('y', DType.float, [M, N]);
  const session = await ort.InferenceSession.create(g.toBytes(), {
    executionProviders:
      device === 'cuda' || (device === 'auto' && cudaProviderInstalled())
        ? ['cuda', 'cpu']
        : ['cpu'],
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
  }).catch(() =>
    ort.InferenceSession.create(g.toBytes(), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
    }),
  );
  const feed = { x: new ort.Tensor('float32', new Float32Array(M * K).fill(0.01), [M, K]) };
  for (let i = 0; i < 5; i++) await session.run(feed);
  const runs = 10;
  const t = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feed);
  const s = (performance.now() - t) / 1000;
  await session.release();
  return (2 * M * K * N * runs) / s / 1e9;
}

/** Forward-pass FLOPs of one clip: linear layers (2 per MAC), attention scores and mixing, convs. */
function forwardFlops(
  cfg: Qwen3AlignerConfig,
  seconds: number,
  units: number,
  tokensPerUnit = 2,
): number {
  const a = cfg.audio;
  const t = cfg.text;
  const frames = Math.floor(seconds * 100);
  const chunks = Math.ceil(frames / a.chunkFrames);
  const audio = audioTokenCount(frames, a.chunkFrames);
  const H = a.downsampleHidden;
  // Convolutions over each 100-frame chunk: outputs x 9 taps x in-channels.
  const conv = chunks * 2 * (H * 64 * 50 * 9 * 1 + H * 32 * 25 * 9 * H + H * 16 * 13 * 9 * H);
  const encLinear =
    audio *
    2 *
    (H * 16 * a.dModel +
      a.layers * (4 * a.dModel ** 2 + 2 * a.dModel * a.ffnDim) +
      2 * a.dModel ** 2);
  const window = 13 * a.chunksPerWindow;
  const encAttn = a.layers * audio * window * a.dModel * 4;
  const L = audio + 2 + units * (tokensPerUnit + 2);
  const q = t.heads * t.headDim;
  const kv = t.kvHeads * t.headDim;
  const decLinear =
    L * 2 * t.layers * (t.hidden * (2 * q + 2 * kv) + 3 * t.hidden * t.intermediate);
  const decAttn = t.layers * L * L * q * 4;
  const head = units * 2 * 2 * t.hidden * cfg.classifyNum;
  return conv + encLinear + encAttn + decLinear + decAttn + head;
}

/** Speech-like test signal: amplitude-modulated harmonics with pauses (content does not matter). */
function clip(seconds: number, seed: number): Float32Array {
  const s = new Float32Array(Math.round(seconds * 16_000));
  for (let i = 0; i < s.length; i++) {
    const tt = i / 16_000;
    const env = Math.max(0, Math.sin(2 * Math.PI * 1.7 * tt + seed));
    s[i] =
      0.3 *
      env *
      (Math.sin(2 * Math.PI * 140 * tt) + 0.5 * Math.sin(2 * Math.PI * 280 * tt + seed));
  }
  return s;
}

const WORDS =
  'the quick brown fox jumps over a lazy dog while seven bright stars shine above quiet hills'.split(
    ' ',
  );
const transcript = (seconds: number) =>
  Array.from({ length: Math.round(seconds * 2.5) }, (_, i) => WORDS[i % WORDS.length]).join(' ');

async function main(): Promise<void> {
  console.log(
    `# qwen3 engine benchmark\nmachine: ${machine()}\nonnxruntime-node ${ort.env.versions.common}`,
  );
  const modelDir = resolve(args['model-dir'] ?? '.data/bench/qwen3-synth');
  if (!existsSync(join(modelDir, 'model.safetensors'))) {
    const t = performance.now();
    writeSyntheticCheckpoint(resolve('bench/qwen3-forced-aligner-0.6b.config.json'), modelDir);
    console.log(
      `synthesised checkpoint in ${((performance.now() - t) / 1000).toFixed(1)} s -> ${modelDir}`,
    );
  }
  const cfg = readAlignerConfig(modelDir);
  let build = currentBuild(modelDir, defaultGraphDir(modelDir), { dtype, debug: false });
  if (!build) build = await buildGraphs({ modelDir, dtype });
  console.log(
    `graph build: ${(build.buildMs / 1000).toFixed(1)} s (${build.dtype}, built ${build.builtAt})`,
  );

  const gemm = await gemmRate();
  console.log(`MatMul rate (1024x1024 @ 1024x4096): ${gemm.toFixed(0)} GFLOP/s`);

  const started = performance.now();
  const engine = await createQwen3Engine({
    modelDir,
    device,
    threads,
    maxBatchSize: Math.max(...batches),
  });
  console.log(
    `session start: ${(performance.now() - started).toFixed(0)} ms on ${engine.device}; RSS ${rssMiB()} MiB`,
  );

  console.log(
    '\n| clip s | batch | wall s | RTF | audio s/s | GFLOP/s | % of MatMul | peak RSS MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const seconds of clips) {
    const text = transcript(seconds);
    const units = unitsFor(text, 'English');
    const flops = forwardFlops(cfg, seconds, units.length);
    for (const b of batches) {
      const items = Array.from({ length: b }, (_, i) => ({
        samples: clip(seconds, i),
        text,
        language: 'English' as const,
        units,
      }));
      await engine.alignBatch(items); // warm-up for this shape
      const t = performance.now();
      for (let r = 0; r < repeats; r++) await engine.alignBatch(items);
      const wall = (performance.now() - t) / 1000 / repeats;
      const gflops = (flops * b) / wall / 1e9;
      console.log(
        `| ${seconds} | ${b} | ${wall.toFixed(2)} | ${(wall / (b * seconds)).toFixed(3)} | ${((b * seconds) / wall).toFixed(1)} | ${gflops.toFixed(0)} | ${((100 * gflops) / gemm).toFixed(0)}% | ${rssMiB()} |`,
      );
    }
    console.log(
      `(model FLOPs for one ${seconds} s clip with ${units.length} words: ${(flops / 1e9).toFixed(0)} GFLOP = ${(flops / 1e9 / seconds).toFixed(1)} GFLOP per audio second)`,
    );
  }
  await engine.close();
  // Measured again: on a shared machine the rate moves while the table runs.
  console.log(
    `MatMul rate at the end: ${(await gemmRate()).toFixed(0)} GFLOP/s (start: ${gemm.toFixed(0)})`,
  );
}

await main();
