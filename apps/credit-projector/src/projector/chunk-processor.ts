import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountStream, generationClaim } from '@credits/domain/streams';
import { millisOf } from '@credits/domain/instants';
import { type AccountDecider, type EventOf } from '@credits/domain';
import {
  backoffDelay,
  ClaimConflictError,
  DuplicateEventIdError,
  EVENT_STORE,
  EventStoreError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
  type EventStore,
} from '@credits/event-store';
import { ProjectorMetrics } from '../observability/projector-metrics';
import { DueAccounts } from '../sweeper/due-accounts';
import { ACCOUNT_DECIDER } from './account-decider.provider';
import { AccountStates, type LoadedAccount } from '../ledger/account-states';
import { ClaimBook } from '../ledger/claim-book';
import { asError } from '@credits/runtime';
import { inSpan } from '@credits/telemetry';
import { LiveCatalog } from '@credits/ledger';
import {
  decideChunk,
  type AccountCommandItem,
  type ChunkDecision,
  type DecidedAccount,
  type UndecidableItem,
} from './decide-chunk';

/** How a long retry keeps the consumer's membership alive and learns it should give up. */
export interface ChunkControl {
  heartbeat(): Promise<void>;
  /** False once the partition was taken away or the consumer is stopping. */
  isActive(): boolean;
}

export interface ChunkResult {
  readonly decisions: {
    accountId: string;
    decision: EventOf<'GenerationCharged'> | EventOf<'GenerationRefused'>;
  }[];
  readonly eventsPerItem: number[];
  /** Items that caused nothing because they could not be decided, encoded or stored. */
  readonly undecidable: UndecidableItem[];
}

/**
 * The store refused something in the append itself: data it cannot hold, an event id taken
 * elsewhere, or an error raised before it was sent (encoding). Retrying cannot help, so the items
 * that cause it are found and set aside. Any other store failure is the store's (a missing
 * table, a full disk): nothing is set aside, and the error stops the consumer, which is started
 * again with backoff until the store works.
 */
function isRefusalOfTheData(error: unknown): boolean {
  return (
    error instanceof InvalidAppendError ||
    error instanceof DuplicateEventIdError ||
    !(error instanceof EventStoreError)
  );
}

/** The latest time among the items' commands (epoch ms); -Infinity for none. */
function latestTimeMs(items: readonly AccountCommandItem[]): number {
  let latest = -Infinity;
  for (const item of items) {
    const atMs = millisOf(item.command.at);
    if (atMs > latest) latest = atMs;
  }
  return latest;
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
    private readonly catalog: LiveCatalog,
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
        if (error instanceof WrongExpectedRevisionError || error instanceof ClaimConflictError) {
          this.metrics.appendConflicts.inc();
          this.logger.info(
            error instanceof ClaimConflictError
              ? { stream: error.stream, claim: error.claim }
              : {
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
    // Priced by the catalog in force at each event's time: one stamped past what the last load
    // covers loads the catalog again first.
    const { loaded, unloadable, claims, decided } = await inSpan(
      'decide',
      { attributes: { 'credits.commands': items.length } },
      async () => {
        await this.catalog.freshFor(latestTimeMs(items));
        const states = await this.states.load(accountIds);
        // After the states: a claim stored before they were read is seen, and one stored after
        // comes with events that make this chunk's append conflict.
        const found = await ClaimBook.lookUp(this.store, items);
        return {
          ...states,
          claims: found,
          decided: decideChunk(this.decider, items, states.loaded, found, states.unloadable),
        };
      },
    );
    try {
      await this.append(decided.accounts, claims);
    } catch (error) {
      if (!isRefusalOfTheData(error)) throw error;
      // The store refused the chunk for something in it (a value PostgreSQL cannot hold, say):
      // find which items, by halves, so only they are set aside.
      this.logger.warn(
        { error: asError(error).message, items: items.length },
        'the store refused a chunk: appending it by halves to find the items at fault',
      );
      return this.bisect(items, loaded, claims, unloadable);
    }
    for (const account of decided.accounts) this.states.remember(account.accountId, account.after);
    return this.decisionsAfterAppend(decided.accounts, decided, claims);
  }

  private async append(accounts: readonly DecidedAccount[], claims: ClaimBook): Promise<void> {
    const appends = accounts.flatMap((account) => (account.append ? [account.append] : []));
    if (appends.length === 0) return;
    await inSpan('append', { attributes: { 'credits.streams': appends.length } }, async () => {
      const stopTimer = this.metrics.appendSeconds.startTimer();
      await this.store.appendToStreams(appends);
      stopTimer();
    });
    claims.addStored(appends);
  }

  /**
   * The slow path, for a chunk the store refused: the chunk is split in halves, each decided and
   * appended on its own (the first half's states carried into the second), down to single items,
   * so an item the store refuses causes nothing and the rest go on, in O(k log n) appends for k
   * refused items. Any other error still fails the whole attempt; what was appended before it is
   * found again, as applied, when the chunk is decided again.
   */
  private async bisect(
    items: readonly AccountCommandItem[],
    loaded: ReadonlyMap<string, LoadedAccount>,
    claims: ClaimBook,
    unloadable: ReadonlyMap<string, Error>,
  ): Promise<ChunkResult> {
    const current = new Map(loaded);
    const latest = new Map<string, DecidedAccount>();
    const result: Pick<ChunkDecision, 'decisions' | 'eventsPerItem' | 'undecidable'> = {
      decisions: [],
      eventsPerItem: [],
      undecidable: [],
    };
    const appendRange = async (from: number, to: number): Promise<void> => {
      const range = items.slice(from, to);
      const decided = decideChunk(this.decider, range, current, claims, unloadable);
      try {
        await this.append(decided.accounts, claims);
      } catch (error) {
        if (!isRefusalOfTheData(error)) throw error;
        if (range.length > 1) {
          const middle = from + Math.ceil(range.length / 2);
          await appendRange(from, middle);
          await appendRange(middle, to);
          return;
        }
        result.undecidable.push({ index: from, error: asError(error) });
        result.eventsPerItem.push(0);
        return;
      }
      for (const account of decided.accounts) {
        current.set(account.accountId, account.after);
        this.states.remember(account.accountId, account.after);
        const earlier = latest.get(account.accountId);
        latest.set(account.accountId, {
          ...account,
          events: earlier ? [...earlier.events, ...account.events] : account.events,
        });
      }
      result.decisions.push(...decided.decisions);
      result.eventsPerItem.push(...decided.eventsPerItem);
      result.undecidable.push(
        ...decided.undecidable.map(({ index, error }) => ({ index: from + index, error })),
      );
    };
    await appendRange(0, items.length);
    return this.decisionsAfterAppend([...latest.values()], result, claims);
  }

  /** After the appends: the due index, and each generation request's decision to publish. */
  private async decisionsAfterAppend(
    accounts: readonly DecidedAccount[],
    decided: Pick<ChunkDecision, 'decisions' | 'eventsPerItem' | 'undecidable'>,
    claims: ClaimBook,
  ): Promise<ChunkResult> {
    for (const account of accounts)
      for (const event of account.events) this.metrics.ledgerEvents.inc({ type: event.type });
    await this.due
      .record(
        accounts
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
      const stored =
        decision ??
        (await this.states.findDecision(
          accountId,
          generationId,
          claims.revisionOf(accountStream(accountId), generationClaim(generationId)),
        ));
      if (stored) decisions.push({ accountId, decision: stored });
      else
        this.logger.error(
          { accountId, generationId },
          'no stored decision found for a generation request',
        );
    }
    return {
      decisions,
      eventsPerItem: decided.eventsPerItem,
      undecidable: decided.undecidable,
    };
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
