import type { Pool } from 'pg';
import type { EventStore } from '@credits/event-store';
import type { Logger } from '@credits/runtime';
import type { ReadModel } from './projections/read-model';
import { ReadModelProjector, type ReadModelStatus } from './read-model-projector';
import { READ_MODELS } from './all-read-models';
import { ReadModelRegistry } from './registry';

/**
 * Every read model kept current while a service runs: the active version of each, and the new
 * one as soon as a rebuild (credits projections rebuild) switches to it.
 */
export class LiveReadModels {
  private projectors: ReadModelProjector[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly options: { readonly cachedAccounts: number; readonly logger: Logger },
  ) {}

  /** Resolves once every read model's tables exist and its projector has started. */
  async start(): Promise<void> {
    const registry = new ReadModelRegistry(this.pool);
    for (const model of READ_MODELS) {
      const { active } = await registry.ensure(model);
      this.projectors.push(this.startProjector(model, active));
    }
  }

  get statuses(): ReadModelStatus[] {
    return this.projectors.map((projector) => projector.status);
  }

  /** A rebuild switched a read model to another version: keep that one current instead. */
  async followSwitches(): Promise<void> {
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
      this.options.logger.info(
        { readModel: name, version: active },
        'read model switched to a rebuilt version',
      );
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.projectors.map((projector) => projector.stop()));
  }

  private startProjector(model: ReadModel, version: number): ReadModelProjector {
    const projector = new ReadModelProjector(this.store, this.pool, model, version, {
      cachedAccounts: this.options.cachedAccounts,
      onError: (error) =>
        this.options.logger.warn(
          { readModel: model.name, error: error.message },
          'read model restarts from its checkpoint',
        ),
    });
    projector.start();
    return projector;
  }
}
