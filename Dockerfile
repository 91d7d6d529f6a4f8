# syntax=docker/dockerfile:1.7
# The regional backend: Node 22 on NVIDIA's CUDA 12 + cuDNN 9 runtime (what onnxruntime-node's CUDA
# execution provider links against), running as a non-root user. The model is not in the image:
# `falign model pull` and `falign model build` fill FA_MODEL_DIR before `falign serve` starts (the
# Kubernetes Deployment runs them as init containers; see docs/deploy.md for plain Docker).
#
#   docker build -t falign-backend .
#
# Pin the bases by digest in CI (docker buildx imagetools inspect <image> prints it).
ARG NODE_IMAGE=node:22-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS node

# Production dependencies, with onnxruntime's CUDA provider fetched now rather than at start-up
# (the repository's .npmrc skips it for CPU-only development machines; this variable wins).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so

FROM ${CUDA_IMAGE} AS runtime
# espeak-ng: the weights-free dtw engine (the fallback when the GPU engine is unhealthy).
# tini: PID 1 that forwards SIGTERM so the server drains in-flight work on rollout.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates espeak-ng tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node

RUN groupadd --gid 10001 falign \
 && useradd --uid 10001 --gid falign --home-dir /app --no-create-home --shell /usr/sbin/nologin falign \
 && mkdir -p /models /data \
 && chown falign:falign /models /data

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Sources run through tsx (no build step to go stale): the backend, the shared contracts, the CLI.
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY shared ./shared
COPY region-backend ./region-backend
COPY dev ./dev
RUN ln -s /app/bin/falign.mjs /usr/local/bin/falign && node --version | grep -q '^v22\.'

ENV NODE_ENV=production \
    FA_HOST=0.0.0.0 \
    FA_PORT=8080 \
    FA_MODEL_DIR=/models/qwen3-forced-aligner-0.6b \
    FA_DATA_DIR=/data \
    FA_DEVICE=cuda

USER 10001:10001
EXPOSE 8080
VOLUME ["/models", "/data"]

# /health answers while the process is alive; loading the engine can take minutes on first start.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10m --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.FA_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["tini", "--", "falign"]
CMD ["serve"]
