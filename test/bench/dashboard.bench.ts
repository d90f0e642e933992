import { existsSync } from 'node:fs';
import { chromium, type Locator, type Page } from 'playwright-core';
import { readModelsCaughtUp, runCredits } from '../harness/credits-cli';
import { startProjector } from '../harness/projector';
import { startQuotaService } from '../harness/quota-service';
import { recordResults } from './results';
import { inBenchWorkspace, runBench } from './workspace';

/**
 * The dashboard's pages on `credits demo` data, in Debian's Chromium: each page opened LOADS
 * times, from navigation to the moment every part it loads is on screen. The goal: each under 1 s.
 */
const CHROMIUM = '/usr/bin/chromium';
const LOADS = 7;

interface PageUnderTest {
  readonly name: string;
  readonly hash: string;
  /** What is on screen once every request the page makes at load has been answered. */
  readonly loaded: (page: Page) => Locator[];
}

const PAGES: readonly PageUnderTest[] = [
  {
    name: 'overview',
    hash: '#/',
    loaded: (page) => [
      page.getByRole('img', { name: 'Credits consumed per UTC day' }),
      page.getByText('4K share of generations'),
    ],
  },
  {
    name: 'account',
    hash: `#/accounts/demo-agency-0`,
    loaded: (page) => [
      page.getByTestId('available'),
      page.getByText(/^Open holds now/),
      page.getByRole('region', { name: 'Statement' }).getByRole('table'),
    ],
  },
  {
    name: 'runningOut',
    hash: '#/running-out',
    loaded: (page) => [page.getByRole('region', { name: 'Fewest days left' }).getByRole('table')],
  },
  {
    name: 'ops',
    hash: '#/ops',
    loaded: (page) => [
      page.getByRole('region', { name: 'Read models' }).getByRole('table'),
      page.getByRole('region', { name: 'Dead letters' }).getByText(/kept on the topic/),
    ],
  },
];

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

runBench('dashboard', async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: apt-get install -y chromium`);
  await inBenchWorkspace('dashboard', 4, async ({ prefix, databaseUrl }) => {
    const env = { KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: databaseUrl };
    const projector = await startProjector(prefix, env);
    const service = await startQuotaService(prefix, env);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const demo = await runCredits(['demo'], env);
      if (demo.code !== 0) throw new Error(`credits demo failed: ${demo.stderr.join('\n')}`);
      await readModelsCaughtUp(env);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${service.url}/dashboard/`);
      await page.evaluate(
        `sessionStorage.setItem('image-credits.key', ${JSON.stringify(service.keys.ops)}); sessionStorage.setItem('image-credits.role', 'ops')`,
      );
      const figures: Record<string, number> = {};
      for (const { name, hash, loaded } of PAGES) {
        const times: number[] = [];
        for (let load = 0; load < LOADS; load += 1) {
          await page.goto('about:blank');
          const started = performance.now();
          await page.goto(`${service.url}/dashboard/${hash}`);
          for (const part of loaded(page)) await part.first().waitFor();
          times.push(performance.now() - started);
        }
        // Where the last load's time went: its slowest requests, as the browser timed them.
        const requests = (await page.evaluate(
          `performance.getEntriesByType('resource').map((entry) => [new URL(entry.name).pathname, Math.round(entry.duration)])`,
        )) as [string, number][];
        const slowest = requests
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([route, ms]) => `${route} ${ms} ms`)
          .join(', ');
        figures[`dashboard_${name}_load_ms_p50`] = Math.round(median(times));
        figures[`dashboard_${name}_load_ms_max`] = Math.round(Math.max(...times));
        console.log(
          `dashboard ${name}: median ${median(times).toFixed(0)} ms, slowest ${Math.max(...times).toFixed(0)} ms over ${LOADS} loads; slowest requests of the last: ${slowest}`,
        );
      }
      recordResults(figures);
    } finally {
      await browser.close();
      await service.process.stop('SIGTERM');
      await projector.process.stop('SIGTERM');
    }
  });
});
