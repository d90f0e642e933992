import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { EVENT_STORE, type EventStore } from '@credits/event-store';
import { PG_POOL } from '@credits/postgres';
import {
  READ_MODELS,
  ReadModelProjector,
  ReadModelRegistry,
  type ReadModel,
  type ReadModelStatus,
} from '@credits/read-models';
import { QuotaMetrics } from '../metrics/quota-metrics';

const LAG_EVERY_MS = 1_000;

/** Keeps the balances, ledger-lines and usage read models current while the service runs. */
@Injectable()
export class ReadModelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private projectors: ReadModelProjector[] = [];
  private switching: Promise<void> | null = null;
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: QuotaMetrics,
    @InjectPinoLogger(ReadModelsService.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const registry = new ReadModelRegistry(this.pool);
    for (const model of READ_MODELS) {
      const { active } = await registry.ensure(model);
      this.projectors.push(this.startProjector(model, active));
    }
    this.recordLag();
    this.lagTimer = setInterval(() => {
      this.recordLag();
      this.switching ??= this.followSwitches()
        .catch((error: Error) =>
          this.logger.warn({ error: error.message }, 'could not read the read-model versions'),
        )
        .finally(() => (this.switching = null));
    }, LAG_EVERY_MS);
  }

  private startProjector(model: ReadModel, version: number): ReadModelProjector {
    const projector = new ReadModelProjector(this.store, this.pool, model, version, {
      cachedAccounts: this.config.quota.readModelCachedAccounts,
      onError: (error) =>
        this.logger.warn(
          { readModel: model.name, error: error.message },
          'read model restarts from its checkpoint',
        ),
    });
    projector.start();
    return projector;
  }

  /** A rebuild (credits projections rebuild) switched a read model: keep the new version current. */
  private async followSwitches(): Promise<void> {
    const { rows } = await this.pool.query<{ name: string; active_version: number }>(
      'SELECT name, active_version FROM rm_projections',
    );
    for (const [index, projector] of this.projectors.entries()) {
      const { name, version } = projector.status;
      const active = rows.find((row) => row.name === name)?.active_version;
      if (active === undefined || active === version) continue;
      await projector.stop();
      const model = READ_MODELS.find((candidate) => candidate.name === name) as ReadModel;
      this.projectors[index] = this.startProjector(model, active);
      this.logger.info(
        { readModel: name, version: active },
        'read model switched to a rebuilt version',
      );
    }
  }

  /** Before any connection closes: nothing may still be using one. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.switching;
    await Promise.all(this.projectors.map((projector) => projector.stop()));
  }

  get statuses(): ReadModelStatus[] {
    return this.projectors.map((projector) => projector.status);
  }

  private recordLag(): void {
    const now = Date.now();
    for (const status of this.statuses) {
      const lag =
        status.caughtUp || status.lastEventRecordedAt === null
          ? 0
          : Math.max(0, (now - status.lastEventRecordedAt.getTime()) / 1000);
      this.metrics.readModelLagSeconds.set({ read_model: status.name }, lag);
    }
  }
}
