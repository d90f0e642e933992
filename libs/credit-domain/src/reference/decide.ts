import type {
  AcceptEdit,
  AccountCommand,
  AdjustCredits,
  ConfigureAutoTopUp,
  GrantAllowance,
  PurchaseTopUp,
  RefundCharge,
  RejectEdit,
  RequestGeneration,
  SetBalanceThreshold,
  SetMemberCap,
  VoidGrant,
} from '../commands';
import type {
  Allocation,
  CreditEvent,
  EditDiscarded,
  EventIgnored,
  GenerationRefusalReason,
  IgnoredReason,
  RefundGrant,
} from '../events';
import { balanceThresholdAt, requiredToGenerate, type CreditRules } from '../rules';
import { idempotencyKey, type SourceEvent } from '../source';
import { planInForce } from '../terms/account-terms';
import { cappedMembers, memberCapReached } from '../terms/members';
import { planChangeEvents } from '../terms/plan-change';
import { signalsAfter } from '../terms/signals';
import { instantOf, millisOf, type Instant } from '../time';
import { valuedTakes } from '../value';
import { dueEvents } from './due';
import { evolve } from './evolve';
import {
  availableAt,
  grantsInConsumptionOrder,
  isUsable,
  unpinned,
  type OpenGeneration,
  type ReferenceState,
  type SettledStatus,
} from './state';

type WireCommand = Exclude<AccountCommand, { type: 'ApplyDueExpiries' }>;

/**
 * The credit rules: the events a command causes in an account in `state`. This is where a rule
 * is read and changed first; the production decider follows it, held equal by a property test.
 *
 * 1. Time passes first: what lapsed or ended by the command's time is applied before it.
 * 2. A wire event applied before causes nothing: one the ledger's durable record recalls, or one
 *    the state remembers.
 * 3. The command decides, on the state after what was due.
 * 4. Credits its events leave on a grant that has already ended lapse at once.
 * 5. The balance after them may signal: low, restored, or an automatic top-up to ask for (not
 *    after a command that left only a record, and changed nothing).
 */
export function decide(
  rules: CreditRules,
  command: AccountCommand,
  state: ReferenceState,
): CreditEvent[] {
  const atMs = millisOf(command.at);
  if (command.type === 'ApplyDueExpiries') {
    const due = dueEvents(rules, state, atMs);
    if (due.events.length === 0) return [];
    return [...due.events, ...signals(rules, due.state, command.at, atMs)];
  }
  const key = idempotencyKey(command.source);
  if (alreadyApplied(command, key, state)) return [];
  const due = dueEvents(rules, state, atMs);
  const own = decideCommand(rules, command, due.state, atMs);
  // A repeat whose first delivery left only a record leaves none the second time.
  if (own.every(leavesOnlyARecord) && state.traceOnlySources.has(key)) return [];
  const endedAtOnce = dueEvents(rules, fold(own, due.state), atMs, atMs);
  const events = [...due.events, ...own, ...endedAtOnce.events];
  if (events.every(leavesOnlyARecord)) return events;
  return [...events, ...signals(rules, endedAtOnce.state, command.at, atMs, command.source)];
}

/** What the balance after a decision signals (see `signalsAfter`). */
function signals(
  rules: CreditRules,
  state: ReferenceState,
  at: Instant,
  atMs: number,
  source?: SourceEvent,
): CreditEvent[] {
  return signalsAfter(state.terms, {
    at,
    atMs,
    ...(source ? { source } : {}),
    available: availableAt(state, atMs),
    threshold: balanceThresholdAt(
      rules,
      state.terms.balanceThreshold,
      planInForce(state.plan, state.terms, atMs),
      atMs,
    ),
    autoTopUpTimeoutMs: rules.autoTopUpTimeoutMs,
  });
}

export function fold(events: readonly CreditEvent[], state: ReferenceState): ReferenceState {
  return events.reduce(evolve, state);
}

function decideCommand(
  rules: CreditRules,
  command: WireCommand,
  state: ReferenceState,
  atMs: number,
): CreditEvent[] {
  switch (command.type) {
    case 'RequestGeneration':
      return requestGeneration(rules, command, state, atMs);
    case 'AcceptEdit':
      return acceptEdit(command, state, atMs);
    case 'RejectEdit':
      return rejectEdit(command, state);
    case 'GrantAllowance':
    case 'PurchaseTopUp':
      return grant(command, state);
    case 'AdjustCredits':
      return adjust(command, state, atMs);
    case 'RefundCharge':
      return refund(rules, command, state, atMs);
    case 'VoidGrant':
      return voidGrant(command, state);
    case 'ChangePlan':
      return planChangeEvents(rules, command, state.plan, state.terms, (id) =>
        state.grantIds.has(id),
      );
    case 'SetMemberCap':
    case 'SetBalanceThreshold':
    case 'ConfigureAutoTopUp':
      return setting(command, state);
    default:
      return unreachable(command);
  }
}

function unreachable(command: never): never {
  throw new Error(`no rule for ${JSON.stringify(command)}`);
}

function leavesOnlyARecord(event: CreditEvent): boolean {
  return event.type === 'EventIgnored' || event.type === 'AcceptRefused';
}

/**
 * Whether this wire event was applied before and changed the account: the durable record says
 * so at any age, the state within what it remembers. One that left only a
 * record is found after deciding (step 3 leaves only a record again); only an accept, a reject,
 * a refund or a void can decide differently later (it came before its generation or grant, or
 * before the credits to keep it), so for those the record is looked up here.
 */
function alreadyApplied(command: WireCommand, key: string, state: ReferenceState): boolean {
  if (command.recalled?.applied) return true;
  switch (command.type) {
    case 'RequestGeneration':
      return knownGeneration(state, command.generationId)?.requestedBy === key;
    case 'AcceptEdit':
    case 'RejectEdit':
      return (
        state.settled.get(command.generationId)?.settledBy === key ||
        state.traceOnlySources.has(key)
      );
    case 'GrantAllowance':
    case 'PurchaseTopUp':
      return state.grantIds.get(grantIdOf(command)) === key;
    case 'AdjustCredits':
      return state.adjustmentIds.get(command.adjustmentId) === key;
    case 'RefundCharge':
      return (
        state.settled.get(command.generationId)?.refundedBy === key ||
        state.traceOnlySources.has(key)
      );
    case 'VoidGrant':
      return state.voidedGrantIds.get(command.grantId) === key || state.traceOnlySources.has(key);
    case 'ChangePlan':
    case 'SetMemberCap':
    case 'SetBalanceThreshold':
    case 'ConfigureAutoTopUp':
      return state.traceOnlySources.has(key);
  }
}

function knownGeneration(state: ReferenceState, generationId: string) {
  return state.open.get(generationId) ?? state.settled.get(generationId);
}

/**
 * A generation is priced by the version in force at its time. It needs the generate part, and
 * the accept part too when the plan reserves the kept cost: it is charged the one and holds the
 * other. Too few credits, or the account's open generations at their bound, refuse it. A free
 * edit costs nothing and holds nothing: it opens no generation. An id used before, remembered or
 * recalled, is never charged again.
 */
function requestGeneration(
  rules: CreditRules,
  command: RequestGeneration,
  state: ReferenceState,
  atMs: number,
): CreditEvent[] {
  const { generationId, editType } = command;
  if (knownGeneration(state, generationId) || command.recalled?.generationIdUsed)
    return ignored(command, 'repeated_generation', generationId);
  const plan = planInForce(state.plan, state.terms, atMs);
  const requirement = requiredToGenerate(rules, plan, editType, command.resolution, atMs);
  if (!requirement) return ignored(command, 'resolution_missing', generationId);
  const { price, required } = requirement;
  const available = availableAt(state, atMs);
  const { memberId } = command;
  const common = {
    at: command.at,
    source: command.source,
    generationId,
    editType,
    resolution: command.resolution ?? null,
  };
  const refused = (
    reason: GenerationRefusalReason,
    capReached?: { cap: number; used: number },
  ): CreditEvent[] => [
    {
      type: 'GenerationRefused',
      ...common,
      priceVersion: price.version,
      required,
      available,
      reason,
      ...(memberId === undefined ? {} : { memberId }),
      ...capReached,
    },
  ];
  const free = price.generate + price.accept === 0;
  const capReached = memberCapReached(state.terms, memberId, required, atMs);
  if (capReached) return refused('member_cap_reached', capReached);
  if (available < required) return refused('insufficient_credits');
  if (!free && state.open.size >= rules.maxOpenGenerations)
    return refused('too_many_open_generations');
  // One allocation for both parts keeps the consumption order: the first credits pay for the
  // generation, the rest are held.
  const [charged, heldFrom] = splitAt(allocate(state, required, atMs), price.generate);
  const [chargedFrom] = valued(state, [charged]);
  return [
    {
      type: 'GenerationCharged',
      ...common,
      priceVersion: price.version,
      generateCost: price.generate,
      acceptCost: price.accept,
      charged: price.generate,
      chargedFrom,
      held: required - price.generate,
      heldFrom,
      holdExpiresAt: free ? command.at : instantOf(atMs + rules.holdTimeoutMs),
      availableAfter: available - required,
      ...(memberId === undefined ? {} : { memberId }),
    },
  ];
}

/**
 * Keeping an edit captures its hold, and charges what the hold did not cover (a plan that
 * reserves only the generate part); if that cannot be paid, the accept is refused and recorded.
 */
function acceptEdit(command: AcceptEdit, state: ReferenceState, atMs: number): CreditEvent[] {
  const generation = state.open.get(command.generationId);
  if (!generation) return unsettleable(command, state);
  const base = { at: command.at, source: command.source, generationId: command.generationId };
  const toCharge = generation.acceptCost - generation.held;
  const available = availableAt(state, atMs);
  if (toCharge > available)
    return [
      {
        type: 'AcceptRefused',
        ...base,
        required: toCharge,
        available,
        reason: 'insufficient_credits',
      },
    ];
  const [capturedFrom, chargedFrom] = valued(state, [
    generation.heldFrom,
    toCharge > 0 ? allocate(state, toCharge, atMs) : [],
  ]);
  return [
    {
      type: 'EditKept',
      ...base,
      captured: generation.held,
      capturedFrom,
      charged: total(chargedFrom),
      chargedFrom,
    },
  ];
}

/** Discarding an edit releases its hold: the generation cost only the generate part. */
function rejectEdit(command: RejectEdit, state: ReferenceState): CreditEvent[] {
  const generation = state.open.get(command.generationId);
  if (!generation) return unsettleable(command, state);
  return [discardedBy(command, generation)];
}

/** An open generation's hold released by a reject, or by a refund. */
function discardedBy(
  command: RejectEdit | RefundCharge,
  generation: OpenGeneration,
): EditDiscarded {
  return {
    type: 'EditDiscarded',
    at: command.at,
    source: command.source,
    generationId: command.generationId,
    released: generation.held,
    releasedTo: generation.heldFrom,
  };
}

const SETTLED_REASONS: Record<SettledStatus, IgnoredReason> = {
  refused: 'generation_refused',
  kept: 'already_kept',
  discarded: 'already_discarded',
  lapsed: 'already_lapsed',
  free: 'free_edit',
  refunded: 'already_refunded',
};

/** An accept or reject of a generation not open changes nothing, and is recorded with why. */
function unsettleable(command: AcceptEdit | RejectEdit, state: ReferenceState): CreditEvent[] {
  const settled = state.settled.get(command.generationId);
  const reason = settled ? SETTLED_REASONS[settled.status] : 'unknown_generation';
  return ignored(command, reason, command.generationId);
}

/** An allowance is named by its plan and period; a top-up by its purchase. */
function grantIdOf(command: GrantAllowance | PurchaseTopUp): string {
  return command.type === 'GrantAllowance'
    ? `allowance:${command.plan}:${command.periodStart}`
    : `top-up:${command.purchaseId}`;
}

/**
 * An allowance is usable in its period and lapses at its end; a top-up is usable from its time
 * until its expiry, if any. A grant id is granted once.
 */
function grant(command: GrantAllowance | PurchaseTopUp, state: ReferenceState): CreditEvent[] {
  const grantId = grantIdOf(command);
  if (state.grantIds.has(grantId)) return ignored(command, 'repeated_grant');
  const base = {
    at: command.at,
    source: command.source,
    grantId,
    credits: command.credits,
    ...(command.price === undefined ? {} : { price: command.price }),
  };
  if (command.type === 'GrantAllowance')
    return [
      {
        type: 'CreditsGranted',
        ...base,
        kind: 'allowance',
        plan: command.plan,
        usableFrom: command.periodStart,
        expiresAt: command.periodEnd,
      },
    ];
  return [
    {
      type: 'CreditsGranted',
      ...base,
      kind: 'top_up',
      usableFrom: command.at,
      expiresAt: command.expiresAt ?? null,
    },
  ];
}

/**
 * A positive adjustment is a grant of its own that never ends. A negative one removes available
 * credits in consumption order, never more than are available: the rest is its shortfall.
 */
function adjust(command: AdjustCredits, state: ReferenceState, atMs: number): CreditEvent[] {
  if (state.adjustmentIds.has(command.adjustmentId)) return ignored(command, 'repeated_grant');
  const base = {
    type: 'CreditsAdjusted' as const,
    at: command.at,
    source: command.source,
    adjustmentId: command.adjustmentId,
    reason: command.reason,
    requested: command.credits,
  };
  if (command.credits > 0)
    return [
      {
        ...base,
        grantId: `adjustment:${command.adjustmentId}`,
        removed: 0,
        removedFrom: [],
        shortfall: 0,
      },
    ];
  const [removedFrom] = valued(state, [allocate(state, -command.credits, atMs)]);
  const removed = total(removedFrom);
  return [{ ...base, grantId: null, removed, removedFrom, shortfall: -command.credits - removed }];
}

/**
 * A refund gives back what a generation paid, once: an open one's hold is released first. Credits
 * go back to the grants that paid them while those still run (usable now, not voided), with the
 * value they took; the rest go to a refund grant per ended grant, with the same basis, lasting
 * `refundGrantMs`.
 */
function refund(
  rules: CreditRules,
  command: RefundCharge,
  state: ReferenceState,
  atMs: number,
): CreditEvent[] {
  const { generationId } = command;
  const generation = state.open.get(generationId);
  if (generation) {
    const discarded = discardedBy(command, generation);
    return [discarded, ...refund(rules, command, evolve(state, discarded), atMs)];
  }
  const settled = state.settled.get(generationId);
  if (!settled)
    return ignored(
      command,
      command.recalled?.generationIdUsed ? 'generation_too_old' : 'unknown_generation',
      generationId,
    );
  if (settled.status !== 'kept' && settled.status !== 'discarded' && settled.status !== 'lapsed')
    return ignored(command, SETTLED_REASONS[settled.status], generationId);
  const returnedTo: Allocation[] = [];
  const refundGrants: RefundGrant[] = [];
  for (const paid of settled.paid ?? []) {
    const grant = state.grants.get(paid.grantId);
    if (grant && isUsable(grant, atMs) && !state.voidedGrantIds.has(paid.grantId))
      returnedTo.push(paid);
    else
      refundGrants.push({
        grantId: `refund:${generationId}:${paid.grantId}`,
        credits: paid.credits,
        expiresAt: instantOf(atMs + rules.refundGrantMs),
        ...(paid.value ? { price: paid.value } : {}),
      });
  }
  return [
    {
      type: 'GenerationRefunded',
      at: command.at,
      source: command.source,
      refundId: command.refundId,
      generationId,
      reason: command.reason,
      credits: total(settled.paid ?? []),
      returnedTo,
      refundGrants,
    },
  ];
}

/**
 * A void removes a grant's unpinned credits now; those its open holds pin are removed when the
 * holds settle (a capture consumes them as usual). A grant is voided once.
 */
function voidGrant(command: VoidGrant, state: ReferenceState): CreditEvent[] {
  const { grantId } = command;
  if (!state.grantIds.has(grantId)) return ignored(command, 'unknown_grant');
  if (state.voidedGrantIds.has(grantId)) return ignored(command, 'already_voided');
  const grant = state.grants.get(grantId);
  const credits = grant ? unpinned(grant) : 0;
  const [[removed]] = valued(state, [credits > 0 ? [{ grantId, credits }] : []]);
  return [
    {
      type: 'CreditsVoided',
      at: command.at,
      source: command.source,
      grantId,
      credits,
      ...(removed?.value ? { value: removed.value } : {}),
      stillPinned: grant?.pinned ?? 0,
      reason: command.reason,
    },
  ];
}

/**
 * A setting is recorded as given, in stream order: the latest wins. A cap for one more agent than
 * the state keeps is ignored.
 */
function setting(
  command: SetMemberCap | SetBalanceThreshold | ConfigureAutoTopUp,
  state: ReferenceState,
): CreditEvent[] {
  const base = { at: command.at, source: command.source };
  switch (command.type) {
    case 'SetMemberCap': {
      const known = state.terms.members.get(command.memberId)?.cap != null;
      if (!known && cappedMembers(state.terms) >= state.memory.membersKept)
        return ignored(command, 'too_many_members');
      return [
        { type: 'MemberCapSet', ...base, memberId: command.memberId, credits: command.credits },
      ];
    }
    case 'SetBalanceThreshold':
      return [{ type: 'BalanceThresholdSet', ...base, credits: command.credits }];
    case 'ConfigureAutoTopUp':
      return [
        {
          type: 'AutoTopUpConfigured',
          ...base,
          threshold: command.threshold,
          credits: command.credits,
          ...(command.price ? { price: command.price } : {}),
        },
      ];
  }
}

/** Allocations taken from the account's grants, in order, with the value each takes. */
function valued<const Lists extends readonly (readonly Allocation[])[]>(
  state: ReferenceState,
  lists: Lists,
) {
  return valuedTakes(lists, (grantId) => state.grants.get(grantId));
}

function ignored(
  command: WireCommand,
  reason: IgnoredReason,
  generationId?: string,
): EventIgnored[] {
  return [
    {
      type: 'EventIgnored',
      at: command.at,
      source: command.source,
      command: command.type,
      reason,
      ...(generationId === undefined ? {} : { generationId }),
    },
  ];
}

/** Up to `amount` unpinned credits of the grants usable at `atMs`, in consumption order. */
function allocate(state: ReferenceState, amount: number, atMs: number): Allocation[] {
  const allocations: Allocation[] = [];
  let needed = amount;
  for (const grant of grantsInConsumptionOrder(state)) {
    const take = isUsable(grant, atMs) ? Math.min(unpinned(grant), needed) : 0;
    if (take > 0) allocations.push({ grantId: grant.grantId, credits: take });
    needed -= take;
  }
  return allocations;
}

/** The allocations' first `amount` credits, and the rest. */
function splitAt(allocations: readonly Allocation[], amount: number): [Allocation[], Allocation[]] {
  const first: Allocation[] = [];
  const rest: Allocation[] = [];
  let left = amount;
  for (const { grantId, credits } of allocations) {
    const taken = Math.min(credits, left);
    if (taken > 0) first.push({ grantId, credits: taken });
    if (credits > taken) rest.push({ grantId, credits: credits - taken });
    left -= taken;
  }
  return [first, rest];
}

function total(allocations: readonly Allocation[]): number {
  return allocations.reduce((sum, allocation) => sum + allocation.credits, 0);
}
