import type { ForwardMap } from './forward-map';
import type { GenerationBook } from './generation-book';
import type { CreditTotals, Grant } from './records';
import type { AccountTerms } from '../terms/account-terms';

/** The fold of an account's stream. */
export interface AccountState {
  /** Usable and pinned grants in consumption order; spent ones are dropped. */
  readonly grants: readonly Grant[];
  readonly grantSequence: number;
  /** Every grant id ever granted, with the idempotency key of the event that granted it. */
  readonly grantIds: ForwardMap<string>;
  readonly adjustmentIds: ForwardMap<string>;
  /** Every grant id ever voided, with the idempotency key of the void. */
  readonly voidedGrantIds: ForwardMap<string>;
  /** The plan of the latest allowance: it chooses the reservation policy. */
  readonly plan: string | null;
  /**
   * Generations by id: every open one, in hold expiry order, soonest first (then in charge
   * order), so the next lapse is the first (a busy account may have thousands open within a
   * hold's time); and the newest settled ones its memory bound keeps.
   */
  readonly generations: GenerationBook;
  /** Wire events that left only a record (ignored or refused accepts), so a redelivery adds none. */
  readonly traceOnlySources: ForwardMap<true>;
  readonly totals: CreditTotals;
  /** Credits held by open generations (pinned on their grants), kept as events are folded. */
  readonly held: number;
  /** The latest start of any grant ever granted: before it, some grant may not be usable yet. */
  readonly latestUsableFromMs: number;
  /** Agents' caps and use, the low-balance threshold, automatic top-ups. */
  readonly terms: AccountTerms;
  /** The memory bound on agents in `terms` (see `MemoryBounds.membersKept`). */
  readonly membersKept: number;
  /** How many events were folded: the stream revision the state stands at, plus one. */
  readonly eventCount: number;
}
