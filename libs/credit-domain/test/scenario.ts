import {
  accountDecider,
  assertInvariants,
  availableCredits,
  heldCredits,
  serializeAccountState,
  type AccountCommand,
  type AccountDecider,
  type AccountState,
  type CreditEvent,
  type CreditRules,
  type Resolution,
} from '../src';
import { millisOf } from '../src/entries/instants';
import { type Money } from '../src/entries/value';

export const DAY = 24 * 60 * 60 * 1000;
export const START = '2026-11-01T00:00:00.000Z';

export function at(offsetMs: number): string {
  return new Date(millisOf(START) + offsetMs).toISOString();
}

let eventSequence = 0;
function source(id?: string) {
  eventSequence += 1;
  return { id: id ?? `evt-${eventSequence}`, producer: 'editor' };
}

/** Commands as the editor and billing send them, with fresh event ids unless one is given. */
export const command = {
  allowance: (
    credits: number,
    o: {
      plan?: string;
      start?: string;
      end?: string;
      at?: string;
      id?: string;
      price?: Money;
    } = {},
  ) =>
    ({
      type: 'GrantAllowance',
      at: o.at ?? o.start ?? START,
      source: source(o.id),
      plan: o.plan ?? 'pro',
      credits,
      periodStart: o.start ?? START,
      periodEnd: o.end ?? at(30 * DAY),
      ...(o.price ? { price: o.price } : {}),
    }) as const,
  topUp: (
    credits: number,
    o: { purchaseId?: string; expiresAt?: string; at?: string; id?: string; price?: Money } = {},
  ) =>
    ({
      type: 'PurchaseTopUp',
      at: o.at ?? START,
      source: source(o.id),
      purchaseId: o.purchaseId ?? `purchase-${eventSequence + 1}`,
      credits,
      ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
      ...(o.price ? { price: o.price } : {}),
    }) as const,
  generate: (
    generationId: string,
    editType: string,
    resolution?: Resolution,
    o: { at?: string; id?: string; memberId?: string } = {},
  ) =>
    ({
      type: 'RequestGeneration',
      at: o.at ?? START,
      source: source(o.id),
      generationId,
      editType,
      ...(resolution ? { resolution } : {}),
      ...(o.memberId ? { memberId: o.memberId } : {}),
    }) as const,
  changePlan: (plan: string, effectiveAt: string, o: { at?: string; id?: string } = {}) =>
    ({
      type: 'ChangePlan',
      at: o.at ?? effectiveAt,
      source: source(o.id),
      plan,
      effectiveAt,
    }) as const,
  memberCap: (memberId: string, credits: number, o: { at?: string; id?: string } = {}) =>
    ({
      type: 'SetMemberCap',
      at: o.at ?? START,
      source: source(o.id),
      memberId,
      credits,
    }) as const,
  threshold: (credits: number, o: { at?: string; id?: string } = {}) =>
    ({ type: 'SetBalanceThreshold', at: o.at ?? START, source: source(o.id), credits }) as const,
  autoTopUp: (
    threshold: number,
    credits: number,
    o: { at?: string; id?: string; price?: Money } = {},
  ) =>
    ({
      type: 'ConfigureAutoTopUp',
      at: o.at ?? START,
      source: source(o.id),
      threshold,
      credits,
      ...(o.price ? { price: o.price } : {}),
    }) as const,
  accept: (generationId: string, o: { at?: string; id?: string } = {}) =>
    ({ type: 'AcceptEdit', at: o.at ?? START, source: source(o.id), generationId }) as const,
  reject: (generationId: string, o: { at?: string; id?: string } = {}) =>
    ({ type: 'RejectEdit', at: o.at ?? START, source: source(o.id), generationId }) as const,
  adjust: (
    credits: number,
    o: { adjustmentId?: string; at?: string; id?: string; reason?: string } = {},
  ) =>
    ({
      type: 'AdjustCredits',
      at: o.at ?? START,
      source: source(o.id),
      adjustmentId: o.adjustmentId ?? `adj-${eventSequence + 1}`,
      credits,
      reason: o.reason ?? 'goodwill',
    }) as const,
  refund: (
    generationId: string,
    o: { refundId?: string; at?: string; id?: string; reason?: string } = {},
  ) =>
    ({
      type: 'RefundCharge',
      at: o.at ?? START,
      source: source(o.id),
      refundId: o.refundId ?? `refund-${eventSequence + 1}`,
      generationId,
      reason: o.reason ?? 'corrupt_result',
    }) as const,
  void: (grantId: string, o: { at?: string; id?: string; reason?: string } = {}) =>
    ({
      type: 'VoidGrant',
      at: o.at ?? START,
      source: source(o.id),
      grantId,
      reason: o.reason ?? 'chargeback',
    }) as const,
  sweep: (atInstant: string) => ({ type: 'ApplyDueExpiries', at: atInstant }) as const,
};

/**
 * An account driven through the decider, keeping its whole stream like the event store would.
 * Deciding and folding the events again reach the same state, and the credit invariants hold
 * after every event. (Whether the rules are right is the credit model's to say: test/oracle.)
 */
export class Account {
  readonly decider: AccountDecider;
  state: AccountState;
  readonly stream: CreditEvent[] = [];

  constructor(rules?: CreditRules) {
    this.decider = accountDecider(rules, { assertInvariants: true });
    this.state = this.decider.initialState;
  }

  given(...commands: AccountCommand[]): this {
    for (const c of commands) this.when(c);
    return this;
  }

  when(c: AccountCommand): CreditEvent[] {
    const decided = this.decider.decideAndEvolve(c, this.state);
    let folded = this.state;
    for (const event of decided.events)
      folded = assertInvariants(this.decider.evolve(folded, event));
    expect(serializeAccountState(folded)).toEqual(serializeAccountState(decided.state));
    this.state = decided.state;
    this.stream.push(...decided.events);
    return decided.events;
  }

  available(atInstant = START): number {
    const atMs = millisOf(atInstant);
    return availableCredits(this.state, atMs);
  }

  held(): number {
    return heldCredits(this.state);
  }
}
