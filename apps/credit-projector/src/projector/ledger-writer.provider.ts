import { Injectable, type Provider } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AccountDecider, AccountState, CreditEvent } from '@credits/domain';
import { EVENT_STORE, type EventStore } from '@credits/event-store';
import { LiveCatalog } from '@credits/ledger';
import { AccountStates } from '../ledger/account-states';
import { ProjectorMetrics } from '../observability/projector-metrics';
import { ConsumerHealth } from '../observability/consumer-health';
import { DueAccounts } from '../sweeper/due-accounts';
import { AmbiguousCommits } from '../faults/ambiguous-commits';
import { CrashPoints } from '../faults/crash-points';
import { ACCOUNT_DECIDER } from './account-decider.provider';
import { LedgerWriter, type WriterHooks } from './ledger-writer';
import type { WriteFailure } from './write-failures';

const WAITING_MESSAGES: Partial<Record<WriteFailure, string>> = {
  unavailable: 'event store unavailable: retrying',
  store_full: 'event store out of disk space: retrying until space is freed',
  unknown: 'writing a chunk failed for a reason not known to be the data: retrying',
};

/** What the projector's writer tells the catalog, the due index, the metrics and the log. */
@Injectable()
export class ProjectorWriterHooks implements WriterHooks {
  constructor(
    private readonly catalog: LiveCatalog,
    private readonly due: DueAccounts,
    private readonly metrics: ProjectorMetrics,
    private readonly health: ConsumerHealth,
    @InjectPinoLogger(LedgerWriter.name) private readonly logger: PinoLogger,
  ) {}

  beforeDeciding(latestTimeMs: number): Promise<void> {
    return this.catalog.freshFor(latestTimeMs);
  }

  /**
   * The sweeper's pointer to when each account next has something due. A failure fails the
   * write, which is tried again (its appends are then repeats): a pointer left unrecorded would
   * leave an idle account's hold open until its next event.
   */
  async afterAppend(accounts: readonly { accountId: string; state: AccountState }[]) {
    await this.due.record(accounts);
  }

  appended(events: readonly CreditEvent[], seconds: number): void {
    this.metrics.appendSeconds.observe(seconds);
    // Counted per append, then added once per type: a labelled increment hashes its labels.
    const byType = new Map<string, number>();
    for (const { type } of events) byType.set(type, (byType.get(type) ?? 0) + 1);
    for (const [type, count] of byType) this.metrics.ledgerEvents.inc({ type }, count);
  }

  noStoredDecision(accountId: string, generationId: string): void {
    this.logger.error(
      { accountId, generationId },
      'no stored decision found for a generation request',
    );
  }

  readonly retries = {
    conflicted: (error: Error, count: number) => {
      this.metrics.appendConflicts.inc();
      this.logger.info(
        { error: error.message, conflictsInThisWrite: count },
        'another writer appended first: reloading the accounts and deciding again',
      );
    },
    waiting: (
      failure: Exclude<WriteFailure, 'conflict'>,
      error: Error,
      attempt: number,
      delayMs: number,
    ) => {
      this.metrics.storeRetries.inc({ failure });
      this.health.storeWaiting(failure, error.message);
      this.logger.warn(
        { failure, attempt, delayMs, error: error.message },
        WAITING_MESSAGES[failure] ?? WAITING_MESSAGES.unknown,
      );
    },
    succeeded: () => this.health.storeWrote(),
  };
}

/** The projector's one writer of ledgers, for its consumer and its sweeper alike. */
export const ledgerWriterProvider: Provider = {
  provide: LedgerWriter,
  inject: [
    EVENT_STORE,
    ACCOUNT_DECIDER,
    AccountStates,
    ProjectorWriterHooks,
    CrashPoints,
    AmbiguousCommits,
  ],
  useFactory: (
    store: EventStore,
    decider: AccountDecider,
    states: AccountStates,
    hooks: ProjectorWriterHooks,
    crashes: CrashPoints,
    ambiguous: AmbiguousCommits,
  ) => new LedgerWriter(ambiguous.around(crashes.around(store)), decider, states, hooks),
};
