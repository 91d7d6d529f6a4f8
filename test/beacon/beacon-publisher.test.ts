import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalGlobalStore,
  startLocalGlobalStore,
} from '../../dev/upstash-rest/global-store.ts';
import {
  BeaconPublisher,
  type BeaconSnapshot,
} from '../../region-backend/beacon/beacon-publisher.ts';
import { NvidiaSmiGpuProbe, parseNvidiaSmi } from '../../region-backend/beacon/gpu-probe.ts';
import { BEACON_INDEX_KEY, beaconRedisKey, type RegionBeacon } from '../../shared/beacon.ts';
import { FakeGpuProbe } from '../support/fake-gpu-probe.ts';

const TOKEN = 'beacon-test-token';

function snapshot(overrides: Partial<BeaconSnapshot> = {}): BeaconSnapshot {
  return {
    region: 'eu-west',
    url: 'http://127.0.0.1:9101',
    latitude: 53.35,
    longitude: -6.26,
    healthy: true,
    ready: true,
    queue_depth: 2,
    in_flight: 1,
    breaker: 'closed',
    compute_p50_ms: 840,
    engine: { name: 'dtw', model: 'espeak-ng+dtw', revision: 'r1' },
    ...overrides,
  };
}

describe('BeaconPublisher', () => {
  let store: LocalGlobalStore;
  let redis: UpstashRedis;
  let direct: IORedis;

  beforeAll(async () => {
    store = await startLocalGlobalStore({ token: TOKEN });
    redis = new UpstashRedis({ url: store.restUrl, token: TOKEN, enableTelemetry: false });
    direct = new IORedis(store.redis.url);
  });
  afterAll(async () => {
    direct?.disconnect();
    await store?.stop();
  });
  beforeEach(async () => {
    await direct.flushall();
  });

  it('writes the beacon with a TTL and lists the region in the index', async () => {
    let now = 1_790_000_000_000;
    const pub = new BeaconPublisher({ redis, snapshot: () => snapshot(), now: () => now });
    const written = await pub.publishOnce();
    expect(written).toEqual({ ...snapshot(), gpu: null, at: now });
    const stored = JSON.parse((await direct.get(beaconRedisKey('eu-west')))!) as RegionBeacon;
    expect(stored).toEqual(written);
    const ttl = await direct.ttl(beaconRedisKey('eu-west'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);
    expect(await direct.smembers(BEACON_INDEX_KEY)).toEqual(['eu-west']);
    now += 2000;
    await pub.publishOnce();
    expect((await redis.get<RegionBeacon>(beaconRedisKey('eu-west')))!.at).toBe(now);
  });

  it('beats on its interval with the current snapshot, then withdraws on stop', async () => {
    let depth = 0;
    const beats: number[] = [];
    const pub = new BeaconPublisher({
      redis,
      snapshot: () => {
        beats.push(depth);
        return snapshot({ queue_depth: depth++ });
      },
      intervalMs: 30,
      ttlSeconds: 5,
    });
    pub.start();
    await expect
      .poll(async () => (await redis.get<RegionBeacon>(beaconRedisKey('eu-west')))?.queue_depth, {
        timeout: 5000,
      })
      .toBeGreaterThanOrEqual(3);
    await pub.stop();
    expect(await direct.exists(beaconRedisKey('eu-west'))).toBe(0);
    expect(await direct.smembers(BEACON_INDEX_KEY)).toEqual([]);
    const count = beats.length;
    await new Promise((r) => setTimeout(r, 100));
    // Only the withdrawal read the snapshot after stop(); no more beats.
    expect(beats.length).toBe(count);
  });

  it('keeps beating after Redis was away', async () => {
    const errors: unknown[] = [];
    const pub = new BeaconPublisher({
      redis: new UpstashRedis({
        url: store.restUrl,
        token: 'wrong-token',
        enableTelemetry: false,
        retry: false,
      }),
      snapshot: () => snapshot(),
      intervalMs: 20,
      onError: (e) => errors.push(e),
    });
    pub.start();
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await pub.stop({ withdraw: false });
    expect(String(errors[0])).toMatch(/Unauthorized/);
  });

  it('adds GPU figures from a probe, and null without a GPU', async () => {
    const gpu = new FakeGpuProbe({
      memory_used_mb: 5000,
      memory_total_mb: 24000,
      utilization: 0.5,
    });
    const withGpu = new BeaconPublisher({ redis, snapshot: () => snapshot(), gpu });
    expect((await withGpu.publishOnce()).gpu).toEqual(gpu.figures);
    const noBinary = new NvidiaSmiGpuProbe('/nonexistent/nvidia-smi');
    const without = new BeaconPublisher({ redis, snapshot: () => snapshot(), gpu: noBinary });
    expect((await without.publishOnce()).gpu).toBeNull();
  });
});

describe('nvidia-smi probe', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'falign-nvsmi-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses one or several GPUs and rejects garbage', () => {
    expect(parseNvidiaSmi('1024, 8192, 50\n')).toEqual({
      memory_used_mb: 1024,
      memory_total_mb: 8192,
      utilization: 0.5,
    });
    expect(parseNvidiaSmi('1000, 16000, 20\n3000, 16000, 80\n')).toEqual({
      memory_used_mb: 4000,
      memory_total_mb: 32000,
      utilization: 0.5,
    });
    expect(parseNvidiaSmi('')).toBeNull();
    expect(parseNvidiaSmi('No devices were found\n')).toBeNull();
    expect(parseNvidiaSmi('[N/A], 8192, 10\n')).toBeNull();
  });

  it('runs the binary and reads its output; a failing run is null', async () => {
    // A stand-in nvidia-smi (this machine has no GPU): a script printing what the real one does.
    const fakeSmi = join(dir, 'fake-nvidia-smi');
    await writeFile(fakeSmi, '#!/bin/sh\necho "2048, 16384, 25"\n');
    await chmod(fakeSmi, 0o755);
    expect(await new NvidiaSmiGpuProbe(fakeSmi).read()).toEqual({
      memory_used_mb: 2048,
      memory_total_mb: 16384,
      utilization: 0.25,
    });
    const failing = join(dir, 'failing-nvidia-smi');
    await writeFile(failing, '#!/bin/sh\necho "NVIDIA-SMI has failed" >&2\nexit 9\n');
    await chmod(failing, 0o755);
    expect(await new NvidiaSmiGpuProbe(failing).read()).toBeNull();
  });
});
