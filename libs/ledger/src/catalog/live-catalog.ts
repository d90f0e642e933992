import {
  accountDecider,
  type AccountDecider,
  type CreditRules,
  type DeciderOptions,
} from '@credits/domain';
import type { EventStore } from '@credits/event-store';
import { readCatalog, rulesWithCatalog } from './catalog-stream';

/**
 * The catalog as a process knows it, reloaded from the event store: every `refreshMs`, and
 * before deciding an event whose time is past what the last load covers. A version is published
 * at least `leadTimeMs` ahead of its start, so a load at wall time w knows every version in force
 * before w + leadTimeMs; an event stamped later than that (a producer's clock ahead) makes the
 * process load again first.
 */
export class LiveCatalog {
  private current: AccountDecider;
  private loadedAtMs = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private decidedSinceStart = false;

  constructor(
    private readonly store: EventStore,
    private readonly base: CreditRules,
    private readonly options: {
      readonly leadTimeMs: number;
      readonly refreshMs: number;
      readonly deciderOptions?: DeciderOptions;
      readonly onError?: (error: Error) => void;
      readonly onLoaded?: (versions: number) => void;
    },
  ) {
    this.current = accountDecider(base, options.deciderOptions);
  }

  /**
   * A decider that always decides by the catalog last loaded: what a long-lived writer holds.
   * Its memory bounds never change, so states and snapshots stay valid across loads.
   */
  asDecider(): AccountDecider {
    const live = () => this.current;
    return {
      get rules() {
        return live().rules;
      },
      get initialState() {
        return live().initialState;
      },
      decide: (command, state) => live().decide(command, state),
      evolve: (state, event) => live().evolve(state, event),
      decideAndEvolve: (command, state) => live().decideAndEvolve(command, state),
      availableCredits: (state, atMs) => live().availableCredits(state, atMs),
      nextDueMs: (state) => live().nextDueMs(state),
    };
  }

  /** The decider of the catalog last loaded. */
  get decider(): AccountDecider {
    return this.current;
  }

  get rules(): CreditRules {
    return this.current.rules;
  }

  async start(): Promise<void> {
    await this.load();
    this.timer = setInterval(() => {
      this.load().catch((error: Error) => this.options.onError?.(error));
    }, this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Loads again first when an event at `atMs` is past what the last load covers, and before the
   * process's first decision (a catalog published from the start, while nothing was decided, is
   * then known to every writer started before it).
   */
  async freshFor(atMs: number): Promise<void> {
    const first = !this.decidedSinceStart;
    this.decidedSinceStart = true;
    if (!first && atMs < this.loadedAtMs + this.options.leadTimeMs) return;
    await this.load();
  }

  /** One load at a time; a caller during a load waits for it. */
  load(): Promise<void> {
    this.loading ??= this.loadOnce().finally(() => (this.loading = null));
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    const startedAtMs = Date.now();
    const { versions } = await readCatalog(this.store);
    const rules = rulesWithCatalog(this.base, versions);
    if (rules.priceBook.versions.length !== this.current.rules.priceBook.versions.length)
      this.current = accountDecider(rules, this.options.deciderOptions);
    this.loadedAtMs = startedAtMs;
    this.options.onLoaded?.(versions.length);
  }
}
