import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BackendMetrics } from '../../region-backend/metrics.ts';
import {
  expressionOf,
  type HclBody,
  loadTerraformDir,
  nested,
  nestedAll,
  REPO_ROOT,
  TERRAFORM_ROOT,
} from './terraform-config.ts';

/**
 * The metrics the alerts and the autoscaler depend on: the contract with region-backend, stated
 * in docs/deploy.md. Histograms also appear with _bucket, _sum and _count.
 */
const METRICS = {
  breakerState: 'falign_breaker_state',
  queueDepth: 'falign_queue_depth',
  queueCapacity: 'falign_queue_capacity',
  requests: 'falign_http_requests_total',
  duration: 'falign_http_request_duration_seconds',
} as const;
const CONTRACT = new Set<string>(Object.values(METRICS));

/** What the backend really exports (its own metrics, not Node's defaults). */
const exported = new Set(
  (await new BackendMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map(
    (m) => m.name,
  ),
);

const read = (path: string) => readFile(join(REPO_ROOT, path), 'utf8');
const prometheusText = await read('deploy/prometheus/prometheus.yml');
const alertsText = await read('deploy/prometheus/falign-alerts.yml');
const dashboardText = await read('deploy/grafana/falign-backend.json');
const region = await loadTerraformDir(join(TERRAFORM_ROOT, 'modules/region'));

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = (parseYaml(alertsText) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);

/** Every falign_* metric name in a text, histogram suffixes folded into the base name. */
function metricNames(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\bfalign_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')),
  );
}

describe('Prometheus scrape configuration', () => {
  const config = parseYaml(prometheusText) as {
    rule_files: string[];
    scrape_configs: { job_name: string; relabel_configs: Record<string, unknown>[] }[];
  };
  const job = config.scrape_configs.find((j) => j.job_name === 'falign-backend')!;

  it('scrapes the backend pods the region module labels and annotates', () => {
    expect(job).toBeDefined();
    const deployment = region.resources.get('kubernetes_deployment_v1.backend')!;
    const template = nested(nested(deployment, 'spec'), 'template');
    const annotations = nested(template, 'metadata').annotations as Record<string, string>;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    const keep = job.relabel_configs.find(
      (r) => r.action === 'keep' && String(r.source_labels).includes('app_kubernetes_io_name'),
    )!;
    expect(region.locals.labels).toMatchObject({ 'app.kubernetes.io/name': keep.regex });
    const regionLabel = job.relabel_configs.find((r) => r.target_label === 'region')!;
    expect(regionLabel.source_labels).toEqual(['__meta_kubernetes_pod_label_falign_dev_region']);
    expect(
      expressionOf((region.locals.labels as Record<string, string>)['falign.dev/region']),
    ).toBe('var.name');
  });

  it('keeps the namespace and pod labels prometheus-adapter maps the queue metric with', () => {
    const targets = job.relabel_configs.map((r) => r.target_label);
    expect(targets).toEqual(expect.arrayContaining(['namespace', 'pod', 'region']));
  });

  it('loads the alert rules', () => {
    expect(config.rule_files.some((f) => f.endsWith('falign-alerts.yml'))).toBe(true);
  });
});

describe('Prometheus Operator manifests', () => {
  it('the PrometheusRule carries exactly the rule groups of falign-alerts.yml', async () => {
    const wrapped = parseYaml(await read('deploy/prometheus/operator/prometheusrule.yaml'));
    expect(wrapped.kind).toBe('PrometheusRule');
    expect(wrapped.spec).toEqual(parseYaml(alertsText));
  });

  it('the PodMonitor selects the backend pods on their named port and adds the region label', async () => {
    const monitor = parseYaml(await read('deploy/prometheus/operator/podmonitor.yaml'));
    expect(monitor.kind).toBe('PodMonitor');
    expect(region.locals.labels).toMatchObject(monitor.spec.selector.matchLabels);
    const endpoint = monitor.spec.podMetricsEndpoints[0];
    expect(endpoint.path).toBe('/metrics');
    const deployment = region.resources.get('kubernetes_deployment_v1.backend')!;
    const podSpec = nested(nested(nested(deployment, 'spec'), 'template'), 'spec');
    const ports = nestedAll(podSpec, 'container').flatMap((c) => nestedAll(c, 'port'));
    expect(ports.map((p) => p.name)).toContain(endpoint.port);
    expect(endpoint.relabelings).toContainEqual({
      sourceLabels: ['__meta_kubernetes_pod_label_falign_dev_region'],
      targetLabel: 'region',
    });
  });
});

describe('alert rules', () => {
  it('every rule has a duration, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const r of rules) {
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
    }
  });

  it('alerts when a breaker is open (state 2)', () => {
    const breaker = rules.filter((r) => r.expr.includes(METRICS.breakerState));
    expect(breaker.length).toBeGreaterThan(0);
    for (const r of breaker) expect(r.expr).toMatch(/==\s*2\b/);
  });

  it('alerts on queue saturation: depth over capacity', () => {
    const queue = rules.filter(
      (r) => r.expr.includes(METRICS.queueDepth) && r.expr.includes(METRICS.queueCapacity),
    );
    expect(queue.length).toBeGreaterThan(0);
    for (const r of queue)
      expect(r.expr).toMatch(
        /falign_queue_depth\)\s*\/\s*sum by \(region\) \(falign_queue_capacity/,
      );
  });

  it('alerts on the 5xx error rate', () => {
    const errors = rules.filter((r) => r.expr.includes(`${METRICS.requests}{status=~"5.."}`));
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(dashboardText) as {
    uid: string;
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };

  it('every non-row panel queries Prometheus', () => {
    expect(dashboard.uid).toBe('falign-backend');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(6);
    for (const p of panels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('charts every metric the backend exports', () => {
    expect(metricNames(dashboardText)).toEqual(exported);
  });
});

describe('the metric contract', () => {
  it('the backend exports every contract metric', () => {
    for (const name of CONTRACT) expect(exported.has(name), name).toBe(true);
  });

  it('deploy/ reads only metrics the backend exports', () => {
    const used = new Set([
      ...metricNames(prometheusText),
      ...metricNames(alertsText),
      ...metricNames(dashboardText),
    ]);
    expect(used.size).toBeGreaterThanOrEqual(CONTRACT.size);
    for (const name of used) expect(exported.has(name), name).toBe(true);
  });

  it('docs/deploy.md states every metric the deploy reads', async () => {
    const docs = await read('docs/deploy.md');
    const used = new Set([...metricNames(alertsText), ...metricNames(dashboardText)]);
    for (const name of used) expect(docs, name).toContain(`\`${name}\``);
  });

  it('the autoscaler and prometheus-adapter use the queue-depth metric by that name', () => {
    const hpa = region.resources.get('kubernetes_horizontal_pod_autoscaler_v2.backend')!;
    const metrics = nestedAll(nested(hpa, 'spec'), 'metric');
    const pods = metrics.find((m) => m.type === 'Pods')!;
    expect(nested(nested(pods, 'pods'), 'metric').name).toBe(METRICS.queueDepth);
    const adapter = region.resources.get('helm_release.prometheus_adapter') as HclBody;
    expect(String(adapter.values)).toContain(`seriesQuery = "${METRICS.queueDepth}{`);
  });
});
