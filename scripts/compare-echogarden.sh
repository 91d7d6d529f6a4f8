#!/usr/bin/env bash
# Side by side on the same dataset: falign's dtw engine vs Echogarden 3.4.0's dtw engine.
#   scripts/compare-echogarden.sh <dataset-dir>     (a subset: a folder of symlinks to source folders)
# Echogarden (GPL-3.0) is a peer for comparison, never a dependency: it is installed by this
# script into a temp dir and removed afterwards. Nothing is downloaded at alignment time: its
# eSpeak-NG package is copied into its package folder, and its package download address points
# at 127.0.0.1 (an attempt to fetch anything fails instead of reaching the internet).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 <dataset-dir>" >&2; exit 2; }
dataset=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/falign-echogarden-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "installing echogarden@3.4.0 into $work" >&2
(cd "$work" && npm init -y >/dev/null &&
  ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --no-audit --no-fund --loglevel=error echogarden@3.4.0 >&2)
command -v ffmpeg >/dev/null || { echo "Echogarden needs ffmpeg (apt-get install ffmpeg)" >&2; exit 1; }
# Echogarden 3.4.0 loads eSpeak-NG (espeak-ng.js + espeak-ng.data) from its package folder,
# which it would otherwise download: give it the same WASM build falign's dtw engine uses.
packages="${XDG_DATA_HOME:-$HOME/.local/share}/echogarden/packages"
espeak="$packages/espeak-ng-emscripten-20260722"
if [[ ! -f $espeak/espeak-ng.js ]]; then
  mkdir -p "$espeak"
  cp "$repo/node_modules/@echogarden/espeak-ng-emscripten/"{espeak-ng.js,espeak-ng.data,package.json,COPYING} "$espeak/"
fi

cat >"$work/run.mjs" <<'EOF'
// Aligns every dataset item with Echogarden's dtw engine; prints falign eval --predictions JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Echogarden from 'echogarden';

const [dataset] = process.argv.slice(2);
if (typeof Echogarden.setGlobalOption === 'function') {
  await Echogarden.setGlobalOption('packageBaseURL', 'http://127.0.0.1:9/');
}
const codes = { English: 'en', Chinese: 'zh', Cantonese: 'yue', French: 'fr', German: 'de', Italian: 'it',
  Japanese: 'ja', Korean: 'ko', Portuguese: 'pt', Russian: 'ru', Spanish: 'es' };
const aliases = { en: 'English', zh: 'Chinese', fr: 'French', de: 'German', it: 'Italian', ja: 'Japanese',
  ko: 'Korean', pt: 'Portuguese', ru: 'Russian', es: 'Spanish' };
/** 16-bit PCM mono WAV as written by falign dataset build. */
function readWav(path) {
  const b = readFileSync(path);
  let at = 12;
  while (at + 8 <= b.length) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'data') {
      const n = size / 2;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = b.readInt16LE(at + 8 + 2 * i) / 32768;
      return { audioChannels: [x], sampleRate: b.readUInt32LE(24) };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}
const items = {};
const files = readdirSync(dataset, { recursive: true, withFileTypes: false }).map(String).filter((f) => f.endsWith('.json')).sort();
for (const f of files) {
  const item = JSON.parse(readFileSync(join(dataset, f), 'utf8'));
  const language = aliases[item.language] ?? item.language;
  const audio = readWav(join(dataset, f.replace(/\.json$/, '.wav')));
  const started = performance.now();
  try {
    const result = await Echogarden.align(audio, item.text, { engine: 'dtw', language: codes[language] ?? 'en' });
    const computeSeconds = (performance.now() - started) / 1000;
    const words = (result.wordTimeline ?? []).map((w) => ({ text: w.text, start: w.startTime, end: w.endTime }));
    items[f] = { words, computeSeconds };
  } catch (err) {
    items[f] = { error: String(err?.message ?? err) };
  }
  process.stderr.write(`\r${Object.keys(items).length}`);
}
process.stdout.write(JSON.stringify({ engine: { name: 'echogarden-dtw', model: 'echogarden@3.4.0', revision: '3.4.0' }, items }));
EOF

echo "aligning with Echogarden 3.4.0 (dtw)" >&2
(cd "$work" && node run.mjs "$dataset" >"$work/echogarden.json")
echo >&2
cd "$repo"
echo "== Echogarden 3.4.0, engine dtw"
node bin/falign.mjs eval "$dataset" --predictions "$work/echogarden.json"
echo
echo "== falign, engine dtw"
node bin/falign.mjs eval "$dataset" --engine dtw
