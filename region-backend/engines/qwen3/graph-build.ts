import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDecoderGraph } from './decoder-graph.ts';
import { buildEncoderGraph } from './encoder-graph.ts';
import { ExternalDataWriter } from './external-data.ts';
import { readAlignerConfig } from './model-config.ts';
import { GraphBuilder } from './onnx-graph.ts';
import { SafetensorsFile } from './safetensors.ts';
import { type StorageDtype, WeightStore } from './weight-store.ts';

export const ENCODER_FILE = 'encoder.onnx';
export const DECODER_FILE = 'decoder.onnx';
export const WEIGHTS_DATA_FILE = 'weights.data';
export const BUILD_MANIFEST_FILE = 'build.json';

export interface GraphBuildOptions {
  modelDir: string;
  /** Where the graphs go; default `<modelDir>/onnx`. */
  outDir?: string;
  dtype?: StorageDtype;
  /** Also output intermediate tensors (tests compare them with the reference). */
  debug?: boolean;
}

/** What a build records, to tell later whether it is still current. */
export interface BuildManifest {
  builder: string;
  dtype: StorageDtype;
  debug: boolean;
  weights: { size: number; mtimeMs: number; sha256: string };
  configSha256: string;
  builtAt: string;
  buildMs: number;
}

/** The source files whose content defines the graphs: a change to any of them rebuilds. */
const BUILDER_SOURCES = [
  'graph-build.ts',
  'encoder-graph.ts',
  'decoder-graph.ts',
  'onnx-graph.ts',
  'weight-store.ts',
  'external-data.ts',
  'model-config.ts',
];

let builderHash: string | undefined;

/** Hash of the graph builder's own source: part of every build manifest. */
export function graphBuilderVersion(): string {
  if (!builderHash) {
    const h = createHash('sha256');
    for (const f of BUILDER_SOURCES)
      h.update(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
    builderHash = h.digest('hex').slice(0, 16);
  }
  return builderHash;
}

export function defaultGraphDir(modelDir: string): string {
  return join(modelDir, 'onnx');
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}

function configHash(modelDir: string): string {
  return createHash('sha256')
    .update(readFileSync(join(modelDir, 'config.json')))
    .digest('hex');
}

/** The manifest of a current build in `outDir`, or null when missing or stale. */
export function currentBuild(
  modelDir: string,
  outDir: string,
  want: { dtype?: StorageDtype; debug?: boolean } = {},
): BuildManifest | null {
  const path = join(outDir, BUILD_MANIFEST_FILE);
  if (!existsSync(path)) return null;
  for (const f of [ENCODER_FILE, DECODER_FILE, WEIGHTS_DATA_FILE])
    if (!existsSync(join(outDir, f))) return null;
  let m: BuildManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as BuildManifest;
  } catch {
    return null;
  }
  const st = statSync(join(modelDir, 'model.safetensors'));
  if (m.builder !== graphBuilderVersion()) return null;
  if (m.weights.size !== st.size || m.weights.mtimeMs !== st.mtimeMs) return null;
  if (m.configSha256 !== configHash(modelDir)) return null;
  if (want.dtype && m.dtype !== want.dtype) return null;
  if (want.debug !== undefined && m.debug !== want.debug) return null;
  return m;
}

/**
 * Builds encoder.onnx and decoder.onnx (sharing one external weights file) from
 * `config.json` + `model.safetensors`. Files are written under temporary names and renamed,
 * the manifest last, so a crashed build never looks current.
 */
export async function buildGraphs(options: GraphBuildOptions): Promise<BuildManifest> {
  const started = performance.now();
  const { modelDir } = options;
  const outDir = options.outDir ?? defaultGraphDir(modelDir);
  const dtype = options.dtype ?? 'fp32';
  const debug = options.debug ?? false;
  const cfg = readAlignerConfig(modelDir);
  mkdirSync(outDir, { recursive: true });
  const weightsPath = join(modelDir, 'model.safetensors');
  const file = new SafetensorsFile(weightsPath);
  const data = new ExternalDataWriter(join(outDir, WEIGHTS_DATA_FILE));
  try {
    const enc = new GraphBuilder('qwen3_aligner_encoder', data);
    buildEncoderGraph(enc, new WeightStore(enc, file, dtype), cfg, debug);
    writeFileSync(
      join(outDir, `${ENCODER_FILE}.tmp`),
      enc.toBytes({ falign_builder: graphBuilderVersion() }),
    );
    const dec = new GraphBuilder('qwen3_aligner_decoder', data);
    buildDecoderGraph(dec, new WeightStore(dec, file, dtype), cfg, debug);
    writeFileSync(
      join(outDir, `${DECODER_FILE}.tmp`),
      dec.toBytes({ falign_builder: graphBuilderVersion() }),
    );
  } finally {
    data.close();
    file.close();
  }
  renameSync(join(outDir, `${ENCODER_FILE}.tmp`), join(outDir, ENCODER_FILE));
  renameSync(join(outDir, `${DECODER_FILE}.tmp`), join(outDir, DECODER_FILE));
  const st = statSync(weightsPath);
  const manifest: BuildManifest = {
    builder: graphBuilderVersion(),
    dtype,
    debug,
    weights: { size: st.size, mtimeMs: st.mtimeMs, sha256: await sha256File(weightsPath) },
    configSha256: configHash(modelDir),
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
  };
  writeFileSync(join(outDir, BUILD_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
