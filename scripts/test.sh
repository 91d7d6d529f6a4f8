#!/usr/bin/env bash
# The whole test suite: system packages, type-check, lint/format, every vitest project.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
bash scripts/ensure-system-deps.sh test
echo '--- type-check'
npx tsc --noEmit -p tsconfig.json
echo '--- lint and format'
npx biome check .
echo '--- tests'
npx vitest run "$@"
