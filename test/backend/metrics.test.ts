import { describe, expect, it } from 'vitest';
import { BackendMetrics } from '../../region-backend/metrics.ts';

/** The names the Terraform alerts and dashboards rely on, with their Prometheus types. */
const CONTRACT = {
  falign_http_request_duration_seconds: 'histogram',
  falign_http_requests_total: 'counter',
  falign_queue_wait_seconds: 'histogram',
  falign_batch_size: 'histogram',
  falign_engine_compute_seconds: 'histogram',
  falign_audio_seconds_aligned_total: 'counter',
  falign_cache_requests_total: 'counter',
  falign_breaker_state: 'gauge',
  falign_queue_depth: 'gauge',
  falign_queue_capacity: 'gauge',
  falign_in_flight: 'gauge',
} as const;

/** `name{labels} value` lines of the exposition, by series. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('BackendMetrics', () => {
  it('exposes every contract metric with its type in Prometheus text format', async () => {
    const metrics = new BackendMetrics();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    for (const [name, type] of Object.entries(CONTRACT)) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    }
    // Default process metrics.
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('records observations with their labels and buckets that fit seconds-long work', async () => {
    const metrics = new BackendMetrics({ defaultMetrics: false });
    metrics.observeHttp('POST', '/api/align', 200, 2.2);
    metrics.observeHttp('POST', '/api/align', 200, 0.003);
    metrics.observeHttp('GET', '/health', 200, 0.001);
    metrics.observeBatch({ size: 3, queueWaitMs: [5, 40, 1200] });
    metrics.observeCompute('qwen3', 4.5);
    metrics.observeAligned('qwen3', 12.5);
    metrics.observeAligned('qwen3', 7.5);
    metrics.observeCache('local', 'miss');
    metrics.observeCache('global', 'hit');
    metrics.setBreakerState('qwen3', 'open');
    metrics.setBreakerState('dtw', 'half-open');
    const s = samples(await metrics.text());

    expect(s.get('falign_http_requests_total{method="POST",route="/api/align",status="200"}')).toBe(
      2,
    );
    const align = 'method="POST",route="/api/align",status="200"';
    expect(s.get(`falign_http_request_duration_seconds_bucket{le="0.005",${align}}`)).toBe(1);
    expect(s.get(`falign_http_request_duration_seconds_bucket{le="2.5",${align}}`)).toBe(2);
    expect(s.get(`falign_http_request_duration_seconds_bucket{le="600",${align}}`)).toBe(2);
    expect(s.get('falign_batch_size_bucket{le="2"}')).toBe(0);
    expect(s.get('falign_batch_size_bucket{le="4"}')).toBe(1);
    expect(s.get('falign_batch_size_bucket{le="256"}')).toBe(1);
    expect(s.get('falign_queue_wait_seconds_count')).toBe(3);
    expect(s.get('falign_queue_wait_seconds_bucket{le="0.05"}')).toBe(2);
    expect(s.get('falign_queue_wait_seconds_sum')).toBeCloseTo(1.245, 9);
    expect(s.get('falign_engine_compute_seconds_bucket{le="5",engine="qwen3"}')).toBe(1);
    expect(s.get('falign_engine_compute_seconds_bucket{le="2.5",engine="qwen3"}')).toBe(0);
    expect(s.get('falign_audio_seconds_aligned_total{engine="qwen3"}')).toBe(20);
    expect(s.get('falign_cache_requests_total{layer="local",result="miss"}')).toBe(1);
    expect(s.get('falign_cache_requests_total{layer="global",result="hit"}')).toBe(1);
    expect(s.get('falign_breaker_state{engine="qwen3"}')).toBe(2);
    expect(s.get('falign_breaker_state{engine="dtw"}')).toBe(1);
  });

  it('reads the queue gauges from their source at scrape time', async () => {
    const metrics = new BackendMetrics({ defaultMetrics: false });
    let depth = 3;
    metrics.trackQueue(() => ({ queueDepth: depth, capacity: 256, inFlight: 8 }));
    let s = samples(await metrics.text());
    expect(s.get('falign_queue_depth')).toBe(3);
    expect(s.get('falign_queue_capacity')).toBe(256);
    expect(s.get('falign_in_flight')).toBe(8);
    depth = 11;
    s = samples(await metrics.text());
    expect(s.get('falign_queue_depth')).toBe(11);
  });

  it('keeps each instance in its own registry', async () => {
    const a = new BackendMetrics();
    const b = new BackendMetrics();
    a.observeCache('local', 'hit');
    expect(
      samples(await a.text()).get('falign_cache_requests_total{layer="local",result="hit"}'),
    ).toBe(1);
    expect(
      samples(await b.text()).has('falign_cache_requests_total{layer="local",result="hit"}'),
    ).toBe(false);
  });
});
