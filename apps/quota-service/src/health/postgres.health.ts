import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Pool } from 'pg';
import { PG_POOL } from '@credits/postgres';
import { within } from '@credits/runtime';

@Injectable()
export class PostgresHealthIndicator {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string) {
    const probe = this.indicator.check(key);
    try {
      await within(2_000, this.pool.query('SELECT 1'));
      return probe.up();
    } catch (error) {
      return probe.down({ message: (error as Error).message });
    }
  }
}
