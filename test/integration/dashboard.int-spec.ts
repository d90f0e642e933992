import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readModelsCaughtUp, runCredits } from '../harness/credits-cli';
import { topicNames } from '@credits/kafka';
import { kafkaClient, projectorConsumed, publish, wireEvent } from '../harness/editor-events';
import { eventually } from '../harness/eventually';
import { ownDatabase } from '../harness/own-database';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '../../.run/screenshots');
const available = existsSync(CHROMIUM);
if (!available)
  console.log(
    `dashboard browser tests SKIPPED: no ${CHROMIUM} (apt-get install -y chromium; npm test does it where it can)`,
  );
const describeInBrowser = available ? describe : describe.skip;

describeInBrowser('the dashboard in a real browser (Debian Chromium)', () => {
  const prefix = isolatedPrefix('dash');
  let projector: ProjectorProcess;
  let service: QuotaService;
  let browser: Browser;
  let page: Page;
  const account = `${prefix}agency`;
  let toppedUpAt = '';
  /** A deployment of its own: the cross-account pages show this test's accounts only. */
  let databaseUrl = '';
  let dropDatabase = async () => {};
  const env = () => ({ KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: databaseUrl });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const own = await ownDatabase('dashboard');
    [databaseUrl, dropDatabase] = [own.url, own.drop];
    projector = await startProjector(prefix, env());
    service = await startQuotaService(prefix, env());
    // Usage of today, so the overview's default period (the last 60 days) shows it.
    toppedUpAt = new Date(Date.now() - 60_000).toISOString();
    const topUp = wireEvent(account, 'TopUpPurchased', toppedUpAt, {
      purchaseId: 'p',
      credits: 50,
    });
    expect((await service.call('billing', 'POST', '/events', topUp)).status).toBe(202);
    await eventually(
      () => service.call('finance', 'GET', `/accounts/${account}/balance`),
      (answer) => answer.status === 200,
    );
    for (const [index, resolution] of ['1K', '4K', '1K'].entries()) {
      const generated = await service.call('worker', 'POST', `/accounts/${account}/generations`, {
        generationId: `g${index}`,
        editType: 'virtual_staging',
        resolution,
      });
      expect(generated.status).toBe(201);
    }
    // A message that is not JSON, for the ops page's dead letters.
    const kafka = kafkaClient('dashboard-tests');
    await publish(kafka, topicNames(prefix).editorEvents, [{ key: account, value: '{"broken":' }]);
    await projectorConsumed(kafka, prefix);
    // The pages read the read models: every one has the ledger before the browser looks.
    await readModelsCaughtUp(env());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
    await dropDatabase();
  });

  /** Signs in with the keyboard alone: Tab to the key, type it, Enter. */
  async function signIn(key: string): Promise<void> {
    await page.goto(`${service.url}/dashboard/`);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.keyboard.press('Tab');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
  }

  it('given an unknown key, then a sign-in error, never a blank page', async () => {
    await signIn('not-a-key');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('This key is not known.');
  });

  it('given a worker key, then it is refused: its role may not read usage', async () => {
    await signIn(service.keys.worker);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'sign in with a finance or ops key',
    );
  });

  it('given a finance key, then the overview plots generations and credits per UTC day, with the 4K share; the key is never in the URL', async () => {
    await signIn(service.keys.finance);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('img', { name: 'Generations per UTC day' }).waitFor();
    const legend = await page.locator('.u-legend').first().textContent();
    for (const series of ['generations', 'kept', 'discarded', 'lapsed', 'refused'])
      expect(legend).toContain(series);
    await expect(page.getByText('4K share of generations').isVisible()).resolves.toBe(true);
    expect(page.url()).not.toContain(service.keys.finance);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png'), fullPage: true });
  });

  it("given an account, when opened from the search box, then its balance now and as of an instant, and a CSV statement whose totals are the CLI statement's", async () => {
    await signIn(service.keys.finance);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByLabel('Account').fill(account);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Account ${account}` }).waitFor();
    const available = page.getByTestId('available');
    await available.filter({ hasText: '38 credits' }).waitFor();
    // Three generations neither kept nor discarded: 2 + 4 + 2 credits held.
    await page.getByText('Open holds now: 8 credits').waitFor();
    await page
      .getByRole('region', { name: 'Balance' })
      .getByRole('cell', { name: 'g1', exact: true })
      .waitFor();
    // Just after the top-up, before the generations: all 50.
    await page.getByLabel(/As of/).fill(new Date(Date.parse(toppedUpAt) + 1_000).toISOString());
    await page.getByLabel(/As of/).press('Enter');
    await page.getByRole('heading', { name: /Balance as of/ }).waitFor();
    await available.filter({ hasText: '50 credits' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account.png'), fullPage: true });

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const text = readFileSync((await csv.path()) as string, 'utf8');
    const [header, ...rows] = text.split('\r\n');
    const creditsAt = header?.split(',').indexOf('credits') ?? -1;
    const csvCredits = rows.reduce((sum, row) => sum + Number(row.split(',')[creditsAt]), 0);
    const statement = await runCredits(
      [
        'statement',
        '--account',
        account,
        '--from',
        '2026-11-01T00:00:00Z',
        '--to',
        new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z',
        '--format',
        'json',
      ],
      env(),
    );
    const lines: { credits: number }[] = JSON.parse(statement.stdout).lines;
    expect([rows.length, csvCredits]).toEqual([
      lines.length,
      lines.reduce((sum, line) => sum + line.credits, 0),
    ]);
  });

  it('given the accounts page, then an account refused most is listed with a link to it', async () => {
    // 38 credits: five 4K edits are approved, the sixth and seventh refused.
    for (let index = 0; index < 7; index += 1)
      await service.call('worker', 'POST', `/accounts/${account}/generations`, {
        generationId: `more-${index}`,
        editType: 'virtual_staging',
        resolution: '4K',
      });
    await eventually(
      () =>
        service.call(
          'finance',
          'GET',
          `/accounts/${account}/usage?from=2026-11-01T00:00:00Z&to=2030-01-01T00:00:00Z&by=day`,
        ),
      (answer) => answer.body?.totals?.refused > 0,
    );
    await page.goto(`${service.url}/dashboard/#/running-out`);
    const refusedMost = page.getByRole('region', { name: 'Refused most' });
    await refusedMost.getByRole('link', { name: account }).waitFor();
    const fewestDays = page.getByRole('region', { name: 'Fewest days left' });
    await fewestDays.getByRole('link', { name: account }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'running-out.png'), fullPage: true });
  });

  it('given a period longer than the usage routes allow, then the overview says so', async () => {
    await signIn(service.keys.finance);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByLabel('From (UTC day)').fill('1990-01-01');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('3660');
  });

  it('given an ops key, then the ops page shows the partitions, the read models and a dead letter with its reason; a replay asks first, and happens only once confirmed', async () => {
    await signIn(service.keys.ops);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Ops' }).click();
    await page.getByRole('heading', { name: 'Ops' }).waitFor();
    const partitions = page.getByRole('region', { name: 'Projector' });
    await partitions
      .getByRole('cell', { name: topicNames(prefix).editorEvents })
      .first()
      .waitFor();
    await page
      .getByRole('region', { name: 'Read models' })
      .getByRole('cell', { name: 'balances' })
      .waitFor();
    const letters = page.getByRole('region', { name: 'Dead letters' });
    await letters.getByRole('cell', { name: 'invalid_json' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ops.png'), fullPage: true });

    const replays: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/ops/dead-letters/replay')) replays.push(request.method());
    });
    const replay = letters.getByRole('button', { name: /^Replay / });
    page.once('dialog', (dialog) => void dialog.dismiss());
    await replay.click();
    expect(replays).toEqual([]);
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('invalid_json');
      void dialog.accept();
    });
    await replay.click();
    await expect(letters.getByRole('status').textContent()).resolves.toMatch(
      new RegExp(
        `^Replayed \\d+:\\d+ onto ${topicNames(prefix).editorEvents.replace('.', '\\.')}\\.$`,
      ),
    );
    expect(replays).toEqual(['POST']);
  });

  it('given a finance key, then every page loads without a refused request, the ops page shows the dead letters without a replay button, and the replay route refuses the key', async () => {
    const refused: string[] = [];
    const listen = (response: import('playwright-core').Response) => {
      if (response.status() === 401 || response.status() === 403) refused.push(response.url());
    };
    page.on('response', listen);
    try {
      await signIn(service.keys.finance);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.goto(`${service.url}/dashboard/#/accounts/${encodeURIComponent(account)}`);
      await page.getByTestId('available').waitFor();
      await page.goto(`${service.url}/dashboard/#/running-out`);
      await page.getByRole('region', { name: 'Fewest days left' }).getByRole('table').waitFor();
      await page.goto(`${service.url}/dashboard/#/ops`);
      const letters = page.getByRole('region', { name: 'Dead letters' });
      await letters.getByRole('cell', { name: 'invalid_json' }).first().waitFor();
      await expect(letters.getByRole('button', { name: /^Replay / }).count()).resolves.toBe(0);
    } finally {
      page.off('response', listen);
    }
    expect(refused).toEqual([]);
    // The route itself refuses the key, whatever a page offers.
    // In the page, as its code would: the test's own tsconfig has no DOM, so the script is text.
    const status = await page.evaluate(`fetch('/ops/dead-letters/replay', {
      method: 'POST',
      headers: {
        Authorization: 'Bearer ' + sessionStorage.getItem('image-credits.key'),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ at: ['0:0'] }),
    }).then((response) => response.status)`);
    expect(status).toBe(403);
  });
});
