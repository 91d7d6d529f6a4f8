import type { Redis } from '@upstash/redis';
import {
  BEACON_INDEX_KEY,
  BEACON_INTERVAL_MS,
  BEACON_TTL_SECONDS,
  beaconRedisKey,
  type RegionBeacon,
} from '../../shared/beacon.ts';
import type { GpuProbe } from './gpu-probe.ts';

/** What the backend reports about itself; the publisher adds GPU figures and the time. */
export type BeaconSnapshot = Omit<RegionBeacon, 'at' | 'gpu'> & { gpu?: RegionBeacon['gpu'] };

export interface BeaconPublisherOptions {
  redis: Redis;
  /** Called on every beat: the backend's current health and load. */
  snapshot: () => BeaconSnapshot | Omit<RegionBeacon, 'at'>;
  /** GPU figures; without a probe, `gpu` is whatever the snapshot says (null if absent). */
  gpu?: GpuProbe;
  intervalMs?: number;
  ttlSeconds?: number;
  now?: () => number;
  /** A beat that could not be written (Redis away); the next beat tries again. */
  onError?: (err: unknown) => void;
}

/**
 * Writes this region's beacon to global Redis every ~2 s with a TTL (DESIGN §2 step 4), and
 * lists the region in the beacon index the edge reads. A region that stops beating drops out
 * when its key expires; `stop()` withdraws it at once. Beats never overlap: a slow Redis
 * delays the next one instead of stacking writes.
 */
export class BeaconPublisher {
  readonly #o: Required<Omit<BeaconPublisherOptions, 'gpu' | 'onError'>> &
    Pick<BeaconPublisherOptions, 'gpu' | 'onError'>;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #beat: Promise<unknown> | null = null;
  #stopped = true;

  constructor(options: BeaconPublisherOptions) {
    this.#o = {
      intervalMs: BEACON_INTERVAL_MS,
      ttlSeconds: BEACON_TTL_SECONDS,
      now: Date.now,
      ...options,
    };
  }

  /** Builds and writes one beacon now; returns what was written. */
  async publishOnce(): Promise<RegionBeacon> {
    const snap = this.#o.snapshot();
    const gpu = this.#o.gpu ? await this.#o.gpu.read() : (snap.gpu ?? null);
    const beacon: RegionBeacon = { ...snap, gpu, at: this.#o.now() };
    const tx = this.#o.redis.multi();
    tx.set(beaconRedisKey(beacon.region), JSON.stringify(beacon), { ex: this.#o.ttlSeconds });
    tx.sadd(BEACON_INDEX_KEY, beacon.region);
    await tx.exec();
    return beacon;
  }

  /** Starts beating (the first beat is immediate). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#tick();
  }

  #tick(): void {
    this.#beat = this.publishOnce()
      .catch((err) => this.#o.onError?.(err))
      .finally(() => {
        this.#beat = null;
        if (!this.#stopped) {
          this.#timer = setTimeout(() => this.#tick(), this.#o.intervalMs);
          this.#timer.unref?.();
        }
      });
  }

  /**
   * Stops beating; with `withdraw` (the default) also deletes the beacon, so the edge stops
   * routing here on its next beacon read instead of waiting for the TTL.
   */
  async stop({ withdraw = true }: { withdraw?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#beat;
    if (withdraw) {
      const region = this.#o.snapshot().region;
      const tx = this.#o.redis.multi();
      tx.del(beaconRedisKey(region));
      tx.srem(BEACON_INDEX_KEY, region);
      await tx.exec();
    }
  }
}
