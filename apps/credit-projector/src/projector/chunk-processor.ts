import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountDecider, GenerationCharged, GenerationRefused } from '@credits/domain';
import {
  backoffDelay,
  EVENT_STORE,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventStore,
} from '@credits/event-store';
import { AccountStates } from '../ledger/account-states';
import { ProjectorMetrics } from '../metrics/projector-metrics';
import { DueAccounts } from '../sweeper/due-accounts';
import { ACCOUNT_DECIDER } from './account-decider.provider';
import { decideChunk, type AccountCommandItem } from './decide-chunk';

/** How a long retry keeps the consumer's membership alive and learns it should give up. */
export interface ChunkControl {
  heartbeat(): Promise<void>;
  /** False once the partition was taken away or the consumer is stopping. */
  isActive(): boolean;
}

export interface ChunkResult {
  readonly decisions: { accountId: string; decision: GenerationCharged | GenerationRefused }[];
  readonly eventsPerItem: number[];
}

const BACKOFF = { initialMs: 200, maxMs: 10_000 };
const HEARTBEAT_SLICE_MS = 1_000;

/**
 * Decides a chunk of commands and appends the result, all accounts in one call. A conflict
 * (another writer got there first) reloads the states and decides again; an unavailable store is
 * retried with backoff for as long as the partition stays ours. Nothing is skipped: the caller
 * commits offsets only after this returns.
 */
@Injectable()
export class ChunkProcessor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCOUNT_DECIDER) private readonly decider: AccountDecider,
    private readonly states: AccountStates,
    private readonly due: DueAccounts,
    private readonly metrics: ProjectorMetrics,
    @InjectPinoLogger(ChunkProcessor.name) private readonly logger: PinoLogger,
  ) {}

  /** Null when the partition stopped being ours before the chunk was durable. */
  async process(
    items: readonly AccountCommandItem[],
    control: ChunkControl,
  ): Promise<ChunkResult | null> {
    const accountIds = [...new Set(items.map((item) => item.accountId))];
    let unavailable = 0;
    for (;;) {
      if (!control.isActive()) return null;
      try {
        return await this.attempt(items, accountIds);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) {
          this.metrics.appendConflicts.inc();
          this.logger.info(
            {
              stream: error.stream,
              expected: String(error.expected),
              actual: String(error.actual),
            },
            'another writer appended first: reloading the accounts and deciding again',
          );
          this.states.forget(accountIds);
          continue;
        }
        if (!(error instanceof EventStoreUnavailableError)) throw error;
        unavailable += 1;
        this.metrics.storeRetries.inc();
        const delayMs = backoffDelay(unavailable, BACKOFF.initialMs, BACKOFF.maxMs);
        this.logger.warn(
          { attempt: unavailable, delayMs, error: error.message },
          'event store unavailable: retrying',
        );
        if (!(await this.wait(delayMs, control))) return null;
      }
    }
  }

  private async attempt(
    items: readonly AccountCommandItem[],
    accountIds: string[],
  ): Promise<ChunkResult> {
    const loaded = await this.states.load(accountIds);
    const decided = decideChunk(this.decider, items, loaded);
    const appends = decided.accounts.flatMap((account) => (account.append ? [account.append] : []));
    if (appends.length > 0) {
      const stopTimer = this.metrics.appendSeconds.startTimer();
      await this.store.appendToStreams(appends);
      stopTimer();
    }
    for (const account of decided.accounts) {
      this.states.remember(account.accountId, account.after);
      for (const event of account.events) this.metrics.ledgerEvents.inc({ type: event.type });
    }
    await this.due
      .record(
        decided.accounts
          .filter((account) => account.events.length > 0)
          .map((account) => ({ accountId: account.accountId, state: account.after.state })),
      )
      // Only a pointer for the sweeper: the account's next event applies what is due anyway.
      .catch((error: Error) =>
        this.logger.warn({ error: error.message }, 'could not record when accounts fall due'),
      );
    const decisions: ChunkResult['decisions'] = [];
    for (const { accountId, generationId, decision } of decided.decisions) {
      // A redelivered or repeated request re-sends the decision stored the first time.
      const stored = decision ?? (await this.states.findDecision(accountId, generationId));
      if (stored) decisions.push({ accountId, decision: stored });
      else
        this.logger.error(
          { accountId, generationId },
          'no stored decision found for a generation request',
        );
    }
    return { decisions, eventsPerItem: decided.eventsPerItem };
  }

  private async wait(ms: number, control: ChunkControl): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await sleep(Math.min(HEARTBEAT_SLICE_MS, until - Date.now()));
      if (!control.isActive()) return false;
      try {
        await control.heartbeat();
      } catch {
        return false;
      }
    }
    return true;
  }
}
