import type { Pool } from 'pg';
import type { EventStore } from '@credits/event-store';
import type { Logger } from '@credits/runtime';
import type { ReadModel } from './projections/read-model';
import {
  ReadModelProjector,
  type ReadModelStatus,
  type ReadModelVersion,
} from './read-model-projector';
import { READ_MODELS } from './all-read-models';
import { ReadModelRegistry } from './registry';

/**
 * Every read model kept current while a service runs: the active version of each, and the new
 * one as soon as a rebuild (credits projections rebuild) switches to it.
 *
 * Each version first catches up on a subscription of its own, so one far behind (a model new to
 * the deployment, or a version switched to) holds none of the others back. Those caught up are
 * then served together by one subscription that reads, decodes and folds each page once: five
 * subscriptions doing the same work took most of a core while the pipeline was busy.
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
      this.projectors.push(this.startProjector([{ model, version: active }]));
    }
  }

  get statuses(): ReadModelStatus[] {
    return this.projectors.flatMap((projector) => projector.statuses);
  }

  /** How many subscriptions serve the read models: one once all have caught up. */
  get subscriptions(): number {
    return this.projectors.length;
  }

  /** Run every second or so: follows rebuilds' switches, then merges the caught-up projectors. */
  async maintain(): Promise<void> {
    await this.followSwitches();
    await this.mergeCaughtUp();
  }

  async stop(): Promise<void> {
    await Promise.all(this.projectors.map((projector) => projector.stop()));
  }

  /** A rebuild switched a read model to another version: keep that one current instead. */
  private async followSwitches(): Promise<void> {
    const { rows } = await this.pool.query<{ name: string; active_version: number }>(
      'SELECT name, active_version FROM rm_projections',
    );
    const active = new Map(rows.map((row) => [row.name, row.active_version]));
    const switched = this.projectors
      .flatMap((projector) => projector.versions)
      .filter(({ model, version }) => (active.get(model.name) ?? version) !== version)
      .map(({ model }) => ({ model, version: active.get(model.name) as number }));
    if (switched.length === 0) return;
    const isSwitched = (model: ReadModel) => switched.some((entry) => entry.model === model);
    const next: ReadModelProjector[] = [];
    for (const projector of this.projectors) {
      if (!projector.versions.some(({ model }) => isSwitched(model))) {
        next.push(projector);
        continue;
      }
      await projector.stop();
      const kept = projector.versions.filter(({ model }) => !isSwitched(model));
      if (kept.length > 0) next.push(this.startProjector(kept));
    }
    for (const entry of switched) {
      next.push(this.startProjector([entry]));
      this.options.logger.info(
        { readModel: entry.model.name, version: entry.version },
        'read model switched to a rebuilt version',
      );
    }
    this.projectors = next;
  }

  private async mergeCaughtUp(): Promise<void> {
    const ready = this.projectors.filter((projector) => projector.isCaughtUp);
    if (ready.length < 2) return;
    await Promise.all(ready.map((projector) => projector.stop()));
    this.projectors = [
      ...this.projectors.filter((projector) => !ready.includes(projector)),
      this.startProjector(ready.flatMap((projector) => projector.versions)),
    ];
  }

  private startProjector(versions: readonly ReadModelVersion[]): ReadModelProjector {
    const projector = new ReadModelProjector(this.store, this.pool, versions, {
      cachedAccounts: this.options.cachedAccounts,
      onError: (error) =>
        this.options.logger.warn(
          {
            readModels: versions.map(({ model }) => model.name),
            error: error.message,
          },
          'read models restart from their checkpoints',
        ),
    });
    projector.start();
    return projector;
  }
}
