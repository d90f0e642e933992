import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { ensureDatabase } from './ensure-database';
import { openPool } from './open-pool';

export const PG_POOL = Symbol('PG_POOL');

/** A connection pool to DATABASE_URL, opened (and the database created) before the app starts. */
@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        await ensureDatabase(config.database.url);
        return openPool(config.database.url, 10);
      },
    },
  ],
  exports: [PG_POOL],
})
export class PostgresModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
