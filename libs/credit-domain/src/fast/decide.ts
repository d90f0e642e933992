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
import { foldDue } from './due';
import type { Decision } from '../decision';
import type {
  Allocation,
  CreditEvent,
  EditDiscarded,
  EventIgnored,
  GenerationRefused,
  IgnoredReason,
  RefundGrant,
} from '../events';
import { evolveKeyed, foldKeyed } from './evolve';
import { allocate, splitAt, sumOf } from './grants';
import { balanceThresholdAt, requiredToGenerate, type CreditRules } from '../rules';
import { planInForce } from '../terms/account-terms';
import { cappedMembers, memberCapReached } from '../terms/members';
import { planChangeEvents } from '../terms/plan-change';
import { signalsAfter } from '../terms/signals';
import { idempotencyKey, type SourceEvent } from '../source';
import {
  availableCredits,
  isUsable,
  openGeneration,
  unpinned,
  type AccountState,
  type Grant,
  type OpenGeneration,
} from './state';
import { instantOf, millisOf, type Instant } from '../time';
import { valuedTakes } from '../value';

type CommandWithSource = Exclude<AccountCommand, { type: 'ApplyDueExpiries' }>;

/**
 * The credit rules, as the production state runs them (the reference decider in `reference/`
 * states them plainly; a property test holds the two equal). Pure: no I/O, no clock (time comes
 * with the command), the given state is never changed. A redelivered wire event causes nothing;
 * lapses and grant ends due by the command's time come first. The state after the events is
 * returned with them: deciding folds most of them already, and folding them again would cost as
 * much once more.
 */
export function decideAndEvolve(
  rules: CreditRules,
  command: AccountCommand,
  state: AccountState,
): Decision<AccountState> {
  const atMs = millisOf(command.at);
  if (command.type === 'ApplyDueExpiries') {
    const due = foldDue(rules, state, atMs);
    if (due.events.length === 0) return due;
    return withSignals(rules, due, command.at, atMs, null);
  }
  const key = idempotencyKey(command.source);
  if (alreadyApplied(command, key, state)) return { events: [], state };

  const { events: due, state: current } = foldDue(rules, state, atMs);
  const own = decideCommand(rules, command, current, atMs);
  // A wire event whose first delivery left only a record leaves none the second time.
  if (own.every(isTraceOnly) && state.traceOnlySources.has(key)) return { events: [], state };
  const afterOwn = foldKeyed(own, current, key);
  // A command that left only a record changed nothing, so signals nothing.
  const signalled = (decision: Decision<AccountState>) =>
    decision.events.every(isTraceOnly)
      ? decision
      : withSignals(rules, decision, command.at, atMs, { source: command.source, key });
  if (!own.some(mayEndAtOnce))
    return signalled({ events: due.length > 0 ? [...due, ...own] : own, state: afterOwn });
  // Credits a discard frees on a grant that has already ended, and grants that arrive already
  // ended, lapse at once.
  const after = foldDue(rules, afterOwn, atMs, atMs);
  return signalled({ events: [...due, ...own, ...after.events], state: after.state });
}

/** The decision, and what the balance after it signals (see `signalsAfter`), folded. */
function withSignals(
  rules: CreditRules,
  decision: Decision<AccountState>,
  at: Instant,
  atMs: number,
  cause: { source: SourceEvent; key: string } | null,
): Decision<AccountState> {
  const { state } = decision;
  const terms = state.terms;
  const plan = planInForce(state.plan, terms, atMs);
  const threshold = balanceThresholdAt(rules, terms.balanceThreshold, plan, atMs);
  // Nothing to signal, the usual case, without building the question.
  if (threshold === 0 && !terms.balanceLow && terms.autoTopUp === null) return decision;
  const signals = signalsAfter(terms, {
    at,
    atMs,
    ...(cause ? { source: cause.source } : {}),
    available: availableCredits(state, atMs),
    threshold,
    autoTopUpTimeoutMs: rules.autoTopUpTimeoutMs,
  });
  if (signals.length === 0) return decision;
  return {
    events: [...decision.events, ...signals],
    state: foldKeyed(signals, state, cause?.key ?? ''),
  };
}

/** Only these can leave unpinned credits on a grant that has already ended. */
function mayEndAtOnce(event: CreditEvent): boolean {
  return (
    event.type === 'EditDiscarded' ||
    event.type === 'CreditsGranted' ||
    event.type === 'GenerationRefunded' ||
    (event.type === 'CreditsAdjusted' && event.grantId !== null)
  );
}

function isTraceOnly(event: CreditEvent): boolean {
  return event.type === 'EventIgnored' || event.type === 'AcceptRefused';
}

/**
 * Whether this wire event was applied before and changed the account. One whose first delivery
 * left only a record (ignored, or an accept refused) is found after deciding, when deciding
 * again leaves only a record too: a repeated request or grant, or a price missing at the
 * event's time, stay so (within the bounds of what the state remembers). Only an accept, a
 * reject, a refund or a void can be decided differently later (it came before its generation or
 * grant, or before the credits to keep it), so for those it is looked up here.
 */
function alreadyApplied(command: CommandWithSource, key: string, state: AccountState): boolean {
  if (command.recalled?.applied) return true;
  switch (command.type) {
    case 'RequestGeneration':
      return knownGeneration(state, command.generationId)?.requestedBy === key;
    case 'AcceptEdit':
    case 'RejectEdit':
      return (
        state.generations.settled(command.generationId)?.settledBy === key ||
        state.traceOnlySources.has(key)
      );
    case 'GrantAllowance':
    case 'PurchaseTopUp':
      return state.grantIds.get(grantIdOf(command)) === key;
    case 'AdjustCredits':
      return state.adjustmentIds.get(command.adjustmentId) === key;
    case 'RefundCharge':
      return (
        state.generations.settled(command.generationId)?.refundedBy === key ||
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

/** The generation open or remembered as settled under this id. */
function knownGeneration(
  state: AccountState,
  generationId: string,
): { readonly requestedBy: string } | undefined {
  return state.generations.known(generationId);
}

function decideCommand(
  rules: CreditRules,
  command: CommandWithSource,
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
      return planChangeEvents(rules, command, state.plan, state.terms, (id) =>
        state.grantIds.has(id),
      );
    case 'SetMemberCap':
    case 'SetBalanceThreshold':
    case 'ConfigureAutoTopUp':
      return setting(command, state);
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

function requestGeneration(
  rules: CreditRules,
  command: RequestGeneration,
  state: AccountState,
  atMs: number,
): CreditEvent[] {
  const { generationId, editType } = command;
  if (knownGeneration(state, generationId) || command.recalled?.generationIdUsed) {
    return ignored(command, 'repeated_generation', generationId);
  }
  const plan = planInForce(state.plan, state.terms, atMs);
  const requirement = requiredToGenerate(rules, plan, editType, command.resolution, atMs);
  if (requirement === undefined) return ignored(command, 'resolution_missing', generationId);
  const { price, required } = requirement;
  const available = availableCredits(state, atMs);
  const resolution = command.resolution ?? null;
  const { memberId } = command;
  const common = { at: command.at, source: command.source, generationId, editType, resolution };
  const refused = (
    reason: GenerationRefused['reason'],
    capReached?: { cap: number; used: number },
  ): GenerationRefused[] => [
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
  const capReached =
    memberId === undefined ? null : memberCapReached(state.terms, memberId, required, atMs);
  if (capReached) return refused('member_cap_reached', capReached);
  if (available < required) return refused('insufficient_credits');
  const free = price.generate + price.accept === 0;
  if (!free && state.generations.openCount >= rules.maxOpenGenerations)
    return refused('too_many_open_generations');
  // One allocation for both parts keeps the consumption order across them: the first credits
  // pay the generate part, the rest are held.
  const [charged, heldFrom] = splitAt(allocate(state.grants, required, atMs), price.generate);
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
      // A free edit holds nothing, so its hold ends as it starts: it opens no generation.
      holdExpiresAt: free ? command.at : instantOf(atMs + rules.holdTimeoutMs),
      availableAfter: available - required,
      ...(memberId === undefined ? {} : { memberId }),
    },
  ];
}

/** A setting, recorded as given: the latest wins. One cap too many is ignored. */
function setting(
  command: SetMemberCap | SetBalanceThreshold | ConfigureAutoTopUp,
  state: AccountState,
): CreditEvent[] {
  const base = { at: command.at, source: command.source };
  if (command.type === 'SetBalanceThreshold')
    return [{ type: 'BalanceThresholdSet', ...base, credits: command.credits }];
  if (command.type === 'ConfigureAutoTopUp') {
    const { threshold, credits, price } = command;
    return [
      { type: 'AutoTopUpConfigured', ...base, threshold, credits, ...(price ? { price } : {}) },
    ];
  }
  const capped = (state.terms.members.get(command.memberId)?.cap ?? null) !== null;
  if (!capped && cappedMembers(state.terms) >= state.membersKept)
    return ignored(command, 'too_many_members');
  return [{ type: 'MemberCapSet', ...base, memberId: command.memberId, credits: command.credits }];
}

function settledReason(status: string): IgnoredReason {
  switch (status) {
    case 'refused':
      return 'generation_refused';
    case 'kept':
      return 'already_kept';
    case 'discarded':
      return 'already_discarded';
    case 'free':
      return 'free_edit';
    case 'refunded':
      return 'already_refunded';
    default:
      return 'already_lapsed';
  }
}

function acceptEdit(command: AcceptEdit, state: AccountState, atMs: number): CreditEvent[] {
  const generation = openGeneration(state, command.generationId);
  if (!generation) return unsettleable(command, state);
  const base = { at: command.at, source: command.source, generationId: command.generationId };
  const toCharge = generation.acceptCost - generation.held;
  const available = availableCredits(state, atMs);
  if (toCharge > available) {
    return [
      {
        type: 'AcceptRefused',
        ...base,
        required: toCharge,
        available,
        reason: 'insufficient_credits',
      },
    ];
  }
  const [capturedFrom, chargedFrom] = valued(state, [
    generation.heldFrom,
    toCharge > 0 ? allocate(state.grants, toCharge, atMs) : [],
  ]);
  return [
    {
      type: 'EditKept',
      ...base,
      captured: generation.held,
      capturedFrom,
      charged: sumOf(chargedFrom),
      chargedFrom,
    },
  ];
}

function rejectEdit(command: RejectEdit, state: AccountState): CreditEvent[] {
  const generation = openGeneration(state, command.generationId);
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

function unsettleable(command: AcceptEdit | RejectEdit, state: AccountState): CreditEvent[] {
  const settled = state.generations.settled(command.generationId);
  return ignored(
    command,
    settled ? settledReason(settled.status) : 'unknown_generation',
    command.generationId,
  );
}

function grantIdOf(command: GrantAllowance | PurchaseTopUp): string {
  return command.type === 'GrantAllowance'
    ? `allowance:${command.plan}:${command.periodStart}`
    : `top-up:${command.purchaseId}`;
}

function grant(command: GrantAllowance | PurchaseTopUp, state: AccountState): CreditEvent[] {
  const grantId = grantIdOf(command);
  if (state.grantIds.has(grantId)) return ignored(command, 'repeated_grant');
  const base = {
    at: command.at,
    source: command.source,
    grantId,
    credits: command.credits,
    ...(command.price === undefined ? {} : { price: command.price }),
  };
  if (command.type === 'GrantAllowance') {
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
  }
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

function adjust(command: AdjustCredits, state: AccountState, atMs: number): CreditEvent[] {
  if (state.adjustmentIds.has(command.adjustmentId)) return ignored(command, 'repeated_grant');
  const base = {
    type: 'CreditsAdjusted' as const,
    at: command.at,
    source: command.source,
    adjustmentId: command.adjustmentId,
    reason: command.reason,
    requested: command.credits,
  };
  if (command.credits > 0) {
    return [
      {
        ...base,
        grantId: `adjustment:${command.adjustmentId}`,
        removed: 0,
        removedFrom: [],
        shortfall: 0,
      },
    ];
  }
  const [removedFrom] = valued(state, [allocate(state.grants, -command.credits, atMs)]);
  const removed = sumOf(removedFrom);
  return [{ ...base, grantId: null, removed, removedFrom, shortfall: -command.credits - removed }];
}

/** The grant of this id among those not yet spent. */
function grantIn(state: AccountState, grantId: string): Grant | undefined {
  return state.grants.find((grant) => grant.grantId === grantId);
}

/** Allocations taken from the account's grants, in order, with the value each takes. */
function valued<const Lists extends readonly (readonly Allocation[])[]>(
  state: AccountState,
  lists: Lists,
) {
  return valuedTakes(lists, (grantId) => grantIn(state, grantId));
}

/** A refund: an open generation's hold is released first, then what it paid is given back. */
function refund(
  rules: CreditRules,
  command: RefundCharge,
  state: AccountState,
  atMs: number,
): CreditEvent[] {
  const generation = openGeneration(state, command.generationId);
  if (!generation) return refundSettled(rules, command, state, atMs);
  const discarded = discardedBy(command, generation);
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
  const settled = state.generations.settled(generationId);
  if (!settled) {
    const forgotten = command.recalled?.generationIdUsed === true;
    return ignored(command, forgotten ? 'generation_too_old' : 'unknown_generation', generationId);
  }
  if (settled.status === 'refused' || settled.status === 'free' || settled.status === 'refunded')
    return ignored(command, settledReason(settled.status), generationId);
  const paid = settled.paid ?? [];
  const refundExpiresAt = instantOf(atMs + rules.refundGrantMs);
  let returnedTo: Allocation[] | undefined;
  let refundGrants: RefundGrant[] | undefined;
  for (const allocation of paid) {
    const grant = grantIn(state, allocation.grantId);
    if (grant && isUsable(grant, atMs) && !state.voidedGrantIds.has(grant.grantId)) {
      (returnedTo ??= []).push(allocation);
      continue;
    }
    const refundGrant: RefundGrant = {
      grantId: `refund:${generationId}:${allocation.grantId}`,
      credits: allocation.credits,
      expiresAt: refundExpiresAt,
    };
    (refundGrants ??= []).push(
      allocation.value ? { ...refundGrant, price: allocation.value } : refundGrant,
    );
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
      returnedTo: returnedTo ?? [],
      refundGrants: refundGrants ?? [],
    },
  ];
}

function voidGrant(command: VoidGrant, state: AccountState): CreditEvent[] {
  const { grantId } = command;
  if (!state.grantIds.has(grantId)) return ignored(command, 'unknown_grant');
  if (state.voidedGrantIds.has(grantId)) return ignored(command, 'already_voided');
  const grant = grantIn(state, grantId);
  const credits = grant ? unpinned(grant) : 0;
  const value =
    grant && credits > 0 ? valued(state, [[{ grantId, credits }]])[0][0]?.value : undefined;
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
