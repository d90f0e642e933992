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
import type { Decided } from '../decided';
import type {
  Allocation,
  CreditEvent,
  EditDiscarded,
  EventIgnored,
  IgnoredReason,
  RefundGrant,
} from '../events';
import { balanceThresholdAt, type CreditRules } from '../credit-rules';
import { idempotencyKey, type SourceEvent } from '../source';
import {
  adjustedBy,
  availableCredits,
  grantedBy,
  grantNamed,
  isUsable,
  knownGeneration,
  leftOnlyARecord,
  openGeneration,
  openGenerationCount,
  pick,
  planAt,
  settledGeneration,
  unpinned,
  valued,
  voidedBy,
  type AccountState,
  type OpenGeneration,
  type SettledStatus,
} from '../state/account';
import { unreachable } from '../state/assertions';
import { splitAt, sumOf } from '../state/grants';
import { cappedMembers } from '../terms/members';
import { planChangeEvents } from '../terms/plan-change';
import { signalsAfter } from '../terms/signals';
import { instantOf, millisOf, type Instant } from '../time';
import { foldDue } from './due';
import { evolveKeyed, foldKeyed } from './evolve';
import { generationVerdict } from './generation-verdict';

type WireCommand = Exclude<AccountCommand, { type: 'ApplyDueExpiries' }>;

/**
 * The credit rules: the events a command causes in an account in `state`, and the state after
 * them (deciding folds them as it goes). Pure: no I/O, no clock (time comes with the command),
 * the given state is never changed.
 *
 * 1. A wire event applied before causes nothing: one the ledger's durable record recalls, or one
 *    the state remembers.
 * 2. Time passes first: what lapsed or ended by the command's time is applied before it.
 * 3. The command decides, on the state after what was due.
 * 4. Credits its events leave on a grant that has already ended lapse at once.
 * 5. The balance after them may signal: low, restored, or an automatic top-up to ask for (not
 *    after a command that left only a record, and changed nothing).
 * 6. What a sweep records names the clock reading it was made at (`sweptAt`).
 */
export function decideAndEvolve(
  rules: CreditRules,
  command: AccountCommand,
  state: AccountState,
): Decided<AccountState> {
  const atMs = millisOf(command.at);
  if (command.type === 'ApplyDueExpiries') {
    const due = foldDue(rules, state, atMs);
    if (due.events.length === 0) return { events: [], state };
    const decided = withSignals(
      rules,
      { events: [...due.events], state: due.state },
      command.at,
      atMs,
      undefined,
      '',
    );
    return {
      events: decided.events.map((event) => ({ ...event, sweptAt: command.at })),
      state: decided.state,
    };
  }
  const key = idempotencyKey(command.source);
  if (alreadyApplied(command, key, state)) return { events: [], state };
  const due = foldDue(rules, state, atMs);
  const own = decideCommand(rules, command, due.state, atMs);
  // A repeat whose first delivery left only a record leaves none the second time.
  if (own.every(leavesOnlyARecord) && leftOnlyARecord(state, key)) return { events: [], state };
  const endedAtOnce = foldDue(rules, foldKeyed(own, due.state, key), atMs, atMs);
  const decided = {
    events: joined(due.events, own, endedAtOnce.events),
    state: endedAtOnce.state,
  };
  if (decided.events.every(leavesOnlyARecord)) return decided;
  return withSignals(rules, decided, command.at, atMs, command.source, key);
}

/** What was decided, and what the balance after it signals (see `signalsAfter`), folded. */
function withSignals(
  rules: CreditRules,
  decided: Decided<AccountState>,
  at: Instant,
  atMs: number,
  source: SourceEvent | undefined,
  sourceKey: string,
): Decided<AccountState> {
  const { state } = decided;
  const signals = signalsAfter(state.terms, {
    at,
    atMs,
    source,
    available: availableCredits(state, atMs),
    threshold: balanceThresholdAt(rules, state.terms.balanceThreshold, planAt(state, atMs), atMs),
    autoTopUpTimeoutMs: rules.autoTopUpTimeoutMs,
  });
  if (signals.length === 0) return decided;
  return {
    events: [...decided.events, ...signals],
    state: foldKeyed(signals, state, sourceKey),
  };
}

/** `own` with what was due before it and what ended after it, copied only when there is any. */
function joined(
  before: readonly CreditEvent[],
  own: CreditEvent[],
  after: readonly CreditEvent[],
): CreditEvent[] {
  return before.length === 0 && after.length === 0 ? own : [...before, ...own, ...after];
}

function leavesOnlyARecord(event: CreditEvent): boolean {
  return event.type === 'EventIgnored' || event.type === 'AcceptRefused';
}

/**
 * Whether this wire event was applied before and changed the account. One whose first delivery
 * left only a record is found after deciding, when deciding again leaves only a record too (a
 * repeated request or grant stays so). Only an accept, a reject, a refund or a void can be
 * decided differently later (it came before its generation or grant, or before the credits to
 * keep it), so for those the record is looked up here.
 */
function alreadyApplied(command: WireCommand, key: string, state: AccountState): boolean {
  if (command.recalled?.applied) return true;
  switch (command.type) {
    case 'RequestGeneration':
      return knownGeneration(state, command.generationId)?.requestedBy === key;
    case 'AcceptEdit':
    case 'RejectEdit':
      return (
        settledGeneration(state, command.generationId)?.settledBy === key ||
        leftOnlyARecord(state, key)
      );
    case 'GrantAllowance':
    case 'PurchaseTopUp':
      return grantedBy(state, grantIdOf(command)) === key;
    case 'AdjustCredits':
      return adjustedBy(state, command.adjustmentId) === key;
    case 'RefundCharge':
      return (
        settledGeneration(state, command.generationId)?.refundedBy === key ||
        leftOnlyARecord(state, key)
      );
    case 'VoidGrant':
      return voidedBy(state, command.grantId) === key || leftOnlyARecord(state, key);
    case 'ChangePlan':
    case 'SetMemberCap':
    case 'SetBalanceThreshold':
    case 'ConfigureAutoTopUp':
      return leftOnlyARecord(state, key);
    default:
      return unreachable(command, 'a command type');
  }
}

function decideCommand(
  rules: CreditRules,
  command: WireCommand,
  state: AccountState,
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
      return planChangeEvents(
        rules,
        command,
        state.plan,
        state.terms,
        (id) => grantedBy(state, id) !== undefined,
      );
    case 'SetMemberCap':
      return setMemberCap(command, state);
    case 'SetBalanceThreshold':
    case 'ConfigureAutoTopUp':
      return [setting(command)];
    default:
      return unreachable(command, 'a command type');
  }
}

function ignored(
  command: { type: string; at: Instant; source: SourceEvent },
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

/**
 * A generation is charged its generate part and holds its accept part (or, on a plan that
 * reserves only the generate part, holds nothing), or is refused with the amounts.
 */
function requestGeneration(
  rules: CreditRules,
  command: RequestGeneration,
  state: AccountState,
  atMs: number,
): CreditEvent[] {
  const { generationId, editType, memberId } = command;
  if (knownGeneration(state, generationId) || command.recalled?.generationIdUsed)
    return ignored(command, 'repeated_generation', generationId);
  const verdict = generationVerdict(
    rules,
    {
      plan: planAt(state, atMs),
      terms: state.terms,
      available: availableCredits(state, atMs),
      openGenerations: openGenerationCount(state),
    },
    command,
    atMs,
  );
  if (verdict === undefined) return ignored(command, 'resolution_missing', generationId);
  const { price, required, available } = verdict;
  const asked = {
    at: command.at,
    source: command.source,
    generationId,
    editType,
    resolution: command.resolution ?? null,
    priceVersion: price.version,
  };
  const agent = memberId === undefined ? {} : { memberId };
  if (!verdict.allowed) {
    const { reason, cap, used } = verdict;
    const capReached = cap === undefined ? {} : { cap, used };
    return [
      { type: 'GenerationRefused', ...asked, required, available, reason, ...agent, ...capReached },
    ];
  }
  const free = price.generate + price.accept === 0;
  // One pick for both parts keeps the consumption order across them: the first credits pay the
  // generate part, the rest are held.
  const [charged, heldFrom] = splitAt(pick(state, required, atMs), price.generate);
  const [chargedFrom] = valued(state, [charged]);
  return [
    {
      type: 'GenerationCharged',
      ...asked,
      generateCost: price.generate,
      acceptCost: price.accept,
      charged: price.generate,
      chargedFrom,
      held: required - price.generate,
      heldFrom,
      // A free edit holds nothing, so its hold ends as it starts: it opens no generation.
      holdExpiresAt: free ? command.at : instantOf(atMs + rules.holdTimeoutMs),
      availableAfter: available - required,
      ...agent,
    },
  ];
}

/** Keeping an edit captures its hold, and charges what was not held (if it can be paid). */
function acceptEdit(command: AcceptEdit, state: AccountState, atMs: number): CreditEvent[] {
  const generation = openGeneration(state, command.generationId);
  if (!generation) return notOpen(command, state);
  const asked = { at: command.at, source: command.source, generationId: command.generationId };
  const toCharge = generation.acceptCost - generation.held;
  const available = availableCredits(state, atMs);
  if (toCharge > available)
    return [
      {
        type: 'AcceptRefused',
        ...asked,
        required: toCharge,
        available,
        reason: 'insufficient_credits',
      },
    ];
  const [capturedFrom, chargedFrom] = valued(state, [
    generation.heldFrom,
    toCharge > 0 ? pick(state, toCharge, atMs) : [],
  ]);
  return [
    {
      type: 'EditKept',
      ...asked,
      captured: generation.held,
      capturedFrom,
      charged: sumOf(chargedFrom),
      chargedFrom,
    },
  ];
}

/** Rejecting an edit releases its hold: only the generate part stays charged. */
function rejectEdit(command: RejectEdit, state: AccountState): CreditEvent[] {
  const generation = openGeneration(state, command.generationId);
  if (!generation) return notOpen(command, state);
  return [discardedBy(command, generation)];
}

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

/** An accept or reject of a generation that is not open is recorded, and changes nothing. */
function notOpen(command: AcceptEdit | RejectEdit | RefundCharge, state: AccountState) {
  const settled = settledGeneration(state, command.generationId);
  return ignored(
    command,
    settled ? settledReason(settled.status) : 'unknown_generation',
    command.generationId,
  );
}

function settledReason(status: SettledStatus): IgnoredReason {
  switch (status) {
    case 'refused':
      return 'generation_refused';
    case 'kept':
      return 'already_kept';
    case 'discarded':
      return 'already_discarded';
    case 'lapsed':
      return 'already_lapsed';
    case 'free':
      return 'free_edit';
    case 'refunded':
      return 'already_refunded';
    default:
      return unreachable(status, 'a settled generation status');
  }
}

function grantIdOf(command: GrantAllowance | PurchaseTopUp): string {
  return command.type === 'GrantAllowance'
    ? `allowance:${command.plan}:${command.periodStart}`
    : `top-up:${command.purchaseId}`;
}

/** An allowance is usable for its period; a top-up from its purchase until its expiry, if any. */
function grant(command: GrantAllowance | PurchaseTopUp, state: AccountState): CreditEvent[] {
  const grantId = grantIdOf(command);
  if (grantedBy(state, grantId) !== undefined) return ignored(command, 'repeated_grant');
  const granted = {
    type: 'CreditsGranted' as const,
    at: command.at,
    source: command.source,
    grantId,
    credits: command.credits,
    ...(command.price === undefined ? {} : { price: command.price }),
  };
  if (command.type === 'GrantAllowance')
    return [
      {
        ...granted,
        kind: 'allowance',
        plan: command.plan,
        usableFrom: command.periodStart,
        expiresAt: command.periodEnd,
      },
    ];
  return [
    { ...granted, kind: 'top_up', usableFrom: command.at, expiresAt: command.expiresAt ?? null },
  ];
}

/**
 * A positive adjustment is a grant of its own; a negative one removes what is available, and
 * records what it could not remove (never a negative balance).
 */
function adjust(command: AdjustCredits, state: AccountState, atMs: number): CreditEvent[] {
  if (adjustedBy(state, command.adjustmentId) !== undefined)
    return ignored(command, 'repeated_grant');
  const adjusted = {
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
        ...adjusted,
        grantId: `adjustment:${command.adjustmentId}`,
        removed: 0,
        removedFrom: [],
        shortfall: 0,
      },
    ];
  const [removedFrom] = valued(state, [pick(state, -command.credits, atMs)]);
  const removed = sumOf(removedFrom);
  return [
    { ...adjusted, grantId: null, removed, removedFrom, shortfall: -command.credits - removed },
  ];
}

/**
 * A refund gives back what a generation paid (an open one's hold is released first): to the
 * grants that paid while they still run and are not voided, else as refund grants of the same
 * value, lasting the rules' refund time. A refused or free generation paid nothing; one refunded
 * was given back already.
 */
function refund(
  rules: CreditRules,
  command: RefundCharge,
  state: AccountState,
  atMs: number,
): CreditEvent[] {
  const open = openGeneration(state, command.generationId);
  if (!open) return refundSettled(rules, command, state, atMs);
  const discarded = discardedBy(command, open);
  const afterDiscard = evolveKeyed(state, discarded, idempotencyKey(command.source));
  return [discarded, ...refundSettled(rules, command, afterDiscard, atMs)];
}

function refundSettled(
  rules: CreditRules,
  command: RefundCharge,
  state: AccountState,
  atMs: number,
): CreditEvent[] {
  const { generationId } = command;
  const settled = settledGeneration(state, generationId);
  if (!settled) {
    const forgotten = command.recalled?.generationIdUsed === true;
    return ignored(command, forgotten ? 'generation_too_old' : 'unknown_generation', generationId);
  }
  if (!paidForSomething(settled.status)) return notOpen(command, state);
  const paid = settled.paid ?? [];
  const refundExpiresAt = instantOf(atMs + rules.refundGrantMs);
  const returnedTo: Allocation[] = [];
  const refundGrants: RefundGrant[] = [];
  for (const allocation of paid) {
    const grant = grantNamed(state, allocation.grantId);
    if (grant && isUsable(grant, atMs) && voidedBy(state, grant.grantId) === undefined) {
      returnedTo.push(allocation);
      continue;
    }
    refundGrants.push({
      grantId: `refund:${generationId}:${allocation.grantId}`,
      credits: allocation.credits,
      expiresAt: refundExpiresAt,
      ...(allocation.value ? { price: allocation.value } : {}),
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
      credits: sumOf(paid),
      returnedTo,
      refundGrants,
    },
  ];
}

/** Which settled generations a refund can give something back for. */
function paidForSomething(status: SettledStatus): boolean {
  switch (status) {
    case 'kept':
    case 'discarded':
    case 'lapsed':
      return true;
    case 'refused':
    case 'free':
    case 'refunded':
      return false;
    default:
      return unreachable(status, 'a settled generation status');
  }
}

/** A void removes a grant's unpinned credits now; those its holds free later, then. */
function voidGrant(command: VoidGrant, state: AccountState): CreditEvent[] {
  const { grantId } = command;
  if (grantedBy(state, grantId) === undefined) return ignored(command, 'unknown_grant');
  if (voidedBy(state, grantId) !== undefined) return ignored(command, 'already_voided');
  const grant = grantNamed(state, grantId);
  const credits = grant ? unpinned(grant) : 0;
  const value = credits > 0 ? valued(state, [[{ grantId, credits }]])[0][0]?.value : undefined;
  return [
    {
      type: 'CreditsVoided',
      at: command.at,
      source: command.source,
      grantId,
      credits,
      ...(value ? { value } : {}),
      stillPinned: grant?.pinned ?? 0,
      reason: command.reason,
    },
  ];
}

/** An agent's cap, recorded as given (the latest wins); one cap more than the bound is ignored. */
function setMemberCap(command: SetMemberCap, state: AccountState): CreditEvent[] {
  const capped = (state.terms.members.get(command.memberId)?.cap ?? null) !== null;
  if (!capped && cappedMembers(state.terms) >= state.membersKept)
    return ignored(command, 'too_many_members');
  return [
    {
      type: 'MemberCapSet',
      at: command.at,
      source: command.source,
      memberId: command.memberId,
      credits: command.credits,
    },
  ];
}

/** A setting, recorded as given: the latest wins. */
function setting(command: SetBalanceThreshold | ConfigureAutoTopUp): CreditEvent {
  const set = { at: command.at, source: command.source };
  if (command.type === 'SetBalanceThreshold')
    return { type: 'BalanceThresholdSet', ...set, credits: command.credits };
  const { threshold, credits, price } = command;
  return { type: 'AutoTopUpConfigured', ...set, threshold, credits, ...(price ? { price } : {}) };
}
