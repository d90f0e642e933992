import { accountStream, generationClaim } from '@credits/domain/streams';
import { millisOf } from '@credits/domain/instants';
import type {
  AccountDecider,
  AccountState,
  CreditEvent,
  GenerationDecision,
} from '@credits/domain';
import type { EventStore } from '@credits/event-store';
import { inSpan } from '@credits/telemetry';
import type { AccountStates } from '../ledger/account-states';
import { ClaimBook } from '../ledger/claim-book';
import { appendByHalves } from './append-by-halves';
import { decideChunk, type Decided, type DecidedAccount, type LedgerItem } from './decide-chunk';
import { withRetries, type ChunkControl, type Pause, type RetryObserver } from './write-retries';

/** What the writer needs besides the store and the states: the catalog, the due index, metrics. */
export interface WriterHooks {
  /** Loads the catalog again first if an item is stamped past what it covers. */
  beforeDeciding(latestTimeMs: number): Promise<void>;
  /** After appends: the chunk's accounts as they now are, for the sweeper's due index. */
  afterAppend(accounts: readonly { accountId: string; state: AccountState }[]): Promise<void>;
  readonly retries: RetryObserver;
  appended(events: readonly CreditEvent[], seconds: number): void;
  /** A repeated generation request whose first decision is not in the store: a bug to look into. */
  noStoredDecision(accountId: string, generationId: string): void;
}

/**
 * Writes a chunk of commands to their accounts' ledgers, all accounts in one append call: load
 * the states, recall what the durable record holds of the items, decide, append. A conflict
 * loads and decides again; an unavailable store or an unknown failure is waited out; all within
 * WRITE_BOUNDS (write-failures.ts). Data the store refuses is found by halves and set aside.
 * Nothing is skipped: the caller commits offsets only after this returns.
 */
export class LedgerWriter {
  constructor(
    private readonly store: EventStore,
    private readonly decider: AccountDecider,
    private readonly states: AccountStates,
    private readonly hooks: WriterHooks,
    private readonly pause?: Pause,
  ) {}

  /**
   * Each item with its outcome, a generation request's decision read back from the store when
   * it was decided before (a redelivery); null when the partition stopped being ours first.
   */
  async write<T extends LedgerItem>(
    items: readonly T[],
    control: ChunkControl,
  ): Promise<Decided<T>[] | null> {
    const accountIds = [...new Set(items.map((item) => item.accountId))];
    return withRetries(
      () => this.writeOnce(items, accountIds),
      control,
      {
        conflicted: (error, count) => {
          this.states.forget(accountIds);
          this.hooks.retries.conflicted(error, count);
        },
        waiting: (...why) => {
          // The store may have committed what it did not answer: the states in memory may be
          // behind it, and a retry that finds its claims appends nothing to correct them.
          this.states.forget(accountIds);
          this.hooks.retries.waiting(...why);
        },
        succeeded: () => this.hooks.retries.succeeded(),
      },
      this.pause,
    );
  }

  private async writeOnce<T extends LedgerItem>(
    items: readonly T[],
    accountIds: readonly string[],
  ): Promise<Decided<T>[]> {
    const { loaded, unloadable, claims } = await inSpan('recall', {}, async () => {
      // Priced by the catalog in force at each event's time.
      await this.hooks.beforeDeciding(latestTimeMs(items));
      const states = await this.states.load(accountIds);
      // After the states: a claim stored before they were read is seen, and one stored after
      // comes with events that make this chunk's append conflict.
      return { ...states, claims: await ClaimBook.lookUp(this.store, items) };
    });
    const current = new Map(loaded);
    const decided = await appendByHalves(items, async (part) => {
      const chunk = await inSpan(
        'decide',
        { attributes: { 'credits.commands': part.length } },
        async () => decideChunk(this.decider, part, current, claims, unloadable),
      );
      await this.append(chunk.accounts, claims);
      for (const account of chunk.accounts) {
        current.set(account.accountId, account.after);
        this.states.remember(account.accountId, account.after);
      }
      return chunk.decided;
    });
    // Every account of the chunk, changed or not: an append that committed before its answer
    // was lost (or before a crash) is repeated with nothing left to append, and its account's
    // due time must still reach the sweeper's index.
    await this.hooks.afterAppend(
      [...current].map(([accountId, account]) => ({ accountId, state: account.state })),
    );
    return this.withDecisions(decided, claims);
  }

  private async append(accounts: readonly DecidedAccount[], claims: ClaimBook): Promise<void> {
    const appends = accounts.flatMap((account) => (account.append ? [account.append] : []));
    if (appends.length === 0) return;
    await inSpan('append', { attributes: { 'credits.streams': appends.length } }, async () => {
      const started = performance.now();
      await this.store.appendToStreams(appends);
      this.hooks.appended(
        accounts.flatMap((account) => account.events),
        (performance.now() - started) / 1_000,
      );
    });
    claims.addStored(appends);
  }

  /**
   * The one place a generation request's decision is settled: decided in this chunk, or, for a
   * redelivered or repeated request, the one stored the first time, read back at the revision
   * its claim names.
   */
  private async withDecisions<T extends LedgerItem>(
    decided: readonly Decided<T>[],
    claims: ClaimBook,
  ): Promise<Decided<T>[]> {
    const settled: Decided<T>[] = [];
    // One read at a time: a redelivered chunk may hold hundreds, and the pool serves others too.
    for (const one of decided) {
      const { item, outcome } = one;
      if (outcome.decision !== 'stored' || item.command.type !== 'RequestGeneration') {
        settled.push(one);
        continue;
      }
      const { generationId } = item.command;
      const stored: GenerationDecision | null = await this.states.findDecision(
        item.accountId,
        generationId,
        claims.revisionOf(accountStream(item.accountId), generationClaim(generationId)),
      );
      if (!stored) this.hooks.noStoredDecision(item.accountId, generationId);
      settled.push({ item, outcome: { ...outcome, decision: stored } });
    }
    return settled;
  }
}

/** The latest time among the items' commands (epoch ms); -Infinity for none. */
function latestTimeMs(items: readonly LedgerItem[]): number {
  let latest = -Infinity;
  for (const item of items) {
    const atMs = millisOf(item.command.at);
    if (atMs > latest) latest = atMs;
  }
  return latest;
}
