import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const OBSERVABILITY = path.resolve(__dirname, '../../infra/observability');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string };
}

const alertRules = (): Rule[] =>
  (
    parse(readFileSync(path.join(OBSERVABILITY, 'alerts.yml'), 'utf8')) as {
      groups: { rules: Rule[] }[];
    }
  ).groups.flatMap((group) => group.rules);

const dashboardQueries = (): string[] => {
  const dashboard = JSON.parse(
    readFileSync(path.join(OBSERVABILITY, 'grafana-dashboard.json'), 'utf8'),
  ) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map(({ expr }) => expr));
};

/**
 * The project's metrics a PromQL expression names; a histogram's series (`_bucket`, `_sum`,
 * `_count`) by the histogram's own name when the services declare it.
 */
const metricsNamed = (expr: string, declared: ReadonlyMap<string, string> = new Map()): string[] =>
  [...expr.matchAll(/\bcredits_[a-z0-9_]+/g)].map(([name]) => {
    const histogram = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
    return histogram && declared.get(histogram) === 'histogram' ? histogram : name;
  });

/** Metric names a /metrics page declares (`# TYPE name kind`), with their kinds. */
async function declared(url: string): Promise<Map<string, string>> {
  const text = await (await fetch(url)).text();
  return new Map(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, kind]) => [
      name as string,
      kind as string,
    ]),
  );
}

describe('infra/observability: alert rules and the Grafana dashboard, against the running services', () => {
  let projector: ProjectorProcess;
  let service: QuotaService;
  let metrics: Map<string, string>;

  beforeAll(async () => {
    const prefix = isolatedPrefix('observability');
    [projector, service] = await Promise.all([startProjector(prefix), startQuotaService(prefix)]);
    metrics = new Map([
      ...(await declared(projector.metricsUrl)),
      ...(await declared(`${service.url}/metrics`)),
    ]);
  });
  afterAll(() => Promise.all([projector.process.stop(), service.process.stop()]));

  it('given the alert rules, then each names only metrics the services expose, with a severity and a summary', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      const named = metricsNamed(rule.expr, metrics);
      expect({ alert: rule.alert, named: named.length > 0 }).toEqual({
        alert: rule.alert,
        named: true,
      });
      expect({ alert: rule.alert, missing: named.filter((name) => !metrics.has(name)) }).toEqual({
        alert: rule.alert,
        missing: [],
      });
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(0);
    }
  });

  it('given the issue’s alerts (stalls, lag, read models, dead letters, store retries, generation timeouts), then each has a rule', () => {
    const watched = new Set(alertRules().flatMap((rule) => metricsNamed(rule.expr, metrics)));
    for (const metric of [
      'credits_projector_partition_seconds_since_progress',
      'credits_projector_consumer_lag',
      'credits_quota_read_model_lag_seconds',
      'credits_projector_dead_letters_total',
      'credits_projector_store_retries_total',
      'credits_quota_generation_decisions_total',
    ])
      expect(watched).toContain(metric);
  });

  it('given the dashboard, then each panel’s query names only metrics the services expose, and rates only counters and histograms', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    for (const query of queries) {
      const named = metricsNamed(query, metrics);
      expect({ query, missing: named.filter((name) => !metrics.has(name)) }).toEqual({
        query,
        missing: [],
      });
      if (/\brate\(/.test(query))
        for (const name of named)
          expect({ query, name, kind: metrics.get(name) }).toEqual({
            query,
            name,
            kind: expect.stringMatching(/^(counter|histogram)$/),
          });
    }
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  if (!promtool)
    console.warn(
      'promtool is not installed: the rules are not checked by Prometheus (apt-get install prometheus)',
    );
  (promtool ? it : it.skip)(
    'given promtool, then Prometheus reads the rules and the scrape configuration',
    () => {
      for (const args of [
        ['check', 'rules', 'alerts.yml'],
        ['check', 'config', 'prometheus.yml'],
      ])
        execFileSync('promtool', args, { cwd: OBSERVABILITY, stdio: 'pipe' });
    },
  );
});
