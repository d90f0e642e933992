import type { Pool } from 'pg';
import { Client } from 'pg';
import type { AppConfig } from '@credits/config';
import { accountDecider, fold, type AccountCommand } from '@credits/domain';
import { millisOf } from '@credits/domain/instants';
import { ensureDatabase, openPool, quoteIdentifier } from '@credits/postgres';
import { DueAccounts } from '../src/sweeper/due-accounts';

const decider = accountDecider();
const source = (id: string) => ({ id, producer: 'test' });

/** An account state with one open hold, requested at `at`: due a hold timeout later. */
function withHoldFrom(at: string) {
  const commands: AccountCommand[] = [
    { type: 'PurchaseTopUp', at, source: source(`t-${at}`), purchaseId: `p-${at}`, credits: 9 },
    {
      type: 'RequestGeneration',
      at,
      source: source(`g-${at}`),
      generationId: `g-${at}`,
      editType: 'twilight',
      resolution: '1K',
    },
  ];
  let state = decider.initialState;
  for (const command of commands) state = fold(decider.decide(command, state), state);
  return state;
}

describe('the due-accounts pointers on the real PostgreSQL', () => {
  const serverUrl = process.env.POSTGRES_SERVER_URL ?? '';
  const name = `credits_due_${process.env.TEST_RUN_ID ?? 'adhoc'}`;
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const config = { projector: { cachedAccounts: 100 } } as AppConfig;
  const hold = decider.rules.holdTimeoutMs;
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = await openPool(databaseUrl, 2);
    await new DueAccounts(pool, config).onModuleInit();
  });

  afterAll(async () => {
    await pool.end();
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
    await admin.end();
  });

  async function pointers(): Promise<Record<string, number>> {
    const { rows } = await pool.query<{ account_id: string; due_at: Date }>(
      'SELECT account_id, due_at FROM projector_due_accounts',
    );
    return Object.fromEntries(rows.map((row) => [row.account_id, row.due_at.getTime()]));
  }

  it('given appends, then each account points at its next due time to the millisecond, and only ever earlier', async () => {
    const early = '2026-11-02T10:00:00.123Z';
    const late = '2026-11-05T08:30:00.456Z';
    await new DueAccounts(pool, config).record([
      { accountId: 'a', state: withHoldFrom(early) },
      { accountId: 'b', state: withHoldFrom(late) },
    ]);
    // Another process, which has not seen a's earlier time, records a later one.
    await new DueAccounts(pool, config).record([
      { accountId: 'a', state: withHoldFrom(late) },
      { accountId: 'b', state: withHoldFrom(early) },
    ]);
    expect(await pointers()).toMatchObject({
      a: millisOf(early) + hold,
      b: millisOf(early) + hold,
    });
  });

  it('given a sweep, then each swept account points at exactly its next due time, or at nothing', async () => {
    const later = '2026-11-20T00:00:00.789Z';
    await new DueAccounts(pool, config).reset([
      { accountId: 'a', state: decider.initialState },
      { accountId: 'b', state: withHoldFrom(later) },
    ]);
    const recorded = await pointers();
    expect(recorded).not.toHaveProperty('a');
    expect(recorded.b).toBe(millisOf(later) + hold);
  });
});
