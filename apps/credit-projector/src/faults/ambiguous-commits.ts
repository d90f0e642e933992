import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { EventStoreUnavailableError, type EventStore } from '@credits/event-store';
import { aroundAppends } from './around-appends';

/**
 * For fault runs only: every n-th append the store commits is reported to the projector as a
 * failure (`PROJECTOR_AMBIGUOUS_COMMIT_EVERY`), as a connection lost between the commit and its
 * answer would be (FoundationDB's commit_unknown_result). The projector must retry it without
 * applying anything twice. Configuration takes it only where `NODE_ENV` is `test`.
 */
@Injectable()
export class AmbiguousCommits {
  private readonly every: number | null;
  private committed = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.every = config.projector.ambiguousCommitEvery;
  }

  /** The store itself, or one whose every n-th committed append answers with a failure. */
  around(store: EventStore): EventStore {
    const every = this.every;
    if (every === null) return store;
    return aroundAppends(store, async (append) => {
      const appended = await append();
      this.committed += 1;
      if (this.committed % every === 0)
        throw new EventStoreUnavailableError(
          'the append committed, but its answer was lost (injected by PROJECTOR_AMBIGUOUS_COMMIT_EVERY)',
        );
      return appended;
    });
  }
}
