import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { connectionProblem, ensureDatabase } from './ensure-database';

export const PG_POOL = Symbol('PG_POOL');

async function openPool(config: AppConfig): Promise<Pool> {
  await ensureDatabase(config.database.url);
  const pool = new Pool({
    connectionString: config.database.url,
    connectionTimeoutMillis: 5_000,
    // An idle-in-transaction session would hold back every catch-up reader of the event log.
    idle_in_transaction_session_timeout: 60_000,
    max: 10,
  });
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end();
    throw connectionProblem(config.database.url, error);
  }
  return pool;
}

/** A connection pool to DATABASE_URL, opened (and the database created) before the app starts. */
@Global()
@Module({
  providers: [{ provide: PG_POOL, inject: [APP_CONFIG], useFactory: openPool }],
  exports: [PG_POOL],
})
export class PostgresModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
