import { opensNoGeneration, type CreditEvent } from '../events';
import type { Allocation } from '../events';
import { endedBy, grantOf, insertGrant, moveCredits, sumOf } from './grants';
import { mergedByGrant, rolledFrom, takenBy } from '../value';
import { idempotencyKey } from '../source';
import {
  openGeneration,
  type AccountState,
  type CreditTotals,
  type Grant,
  type SettledStatus,
} from './state';
import { successorOf, type NextAccountState } from './state-record';
import { millisOf } from '../time';
import { evolveTerms, memberChargeOf } from '../terms/evolve-terms';
import type { MemberCharge } from '../terms/account-terms';

const REMAINING = { kept: -1, unchanged: 0, given: 1 } as const;
const PINNED = { less: -1, unchanged: 0, more: 1 } as const;

function settledAs(
  state: AccountState,
  generationId: string,
  status: SettledStatus,
  requestedBy: string,
  settledBy: string | null,
): AccountState['generations'] {
  return state.generations.withSettled(generationId, { status, requestedBy, settledBy });
}

/**
 * The open generation under this id settled, remembered with what it paid from each grant (its
 * charge, and what settling it took): what a refund gives back.
 */
function settledOpen(
  state: AccountState,
  generationId: string,
  status: SettledStatus,
  settledBy: string | null,
  takenNow: readonly (readonly Allocation[])[],
): AccountState['generations'] {
  const generation = openGeneration(state, generationId);
  return state.generations.withSettled(generationId, {
    status,
    requestedBy: generation?.requestedBy ?? '',
    settledBy,
    paid: mergedByGrant([generation?.chargedFrom ?? [], ...takenNow]),
    ...(generation?.member ? { member: generation.member } : {}),
  });
}

function addTotals(totals: CreditTotals, change: Partial<CreditTotals>): CreditTotals {
  return {
    granted: totals.granted + (change.granted ?? 0),
    charged: totals.charged + (change.charged ?? 0),
    lapsed: totals.lapsed + (change.lapsed ?? 0),
    removed: totals.removed + (change.removed ?? 0),
  };
}

/** `next` with a new grant. */
function addGrant(
  next: NextAccountState,
  grant: Omit<Grant, 'sequence' | 'remaining' | 'pinned' | 'deferred'>,
  sourceKey: string | null,
): NextAccountState {
  const sequence = next.grantSequence;
  next.grants = insertGrant(
    next.grants,
    grantOf({ ...grant, sequence }, grant.granted, 0, grant.price?.amount ?? 0),
  );
  next.grantSequence += 1;
  next.grantIds = next.grantIds.with(grant.grantId, sourceKey ?? '');
  next.latestUsableFromMs = Math.max(next.latestUsableFromMs, grant.usableFromMs);
  next.totals = addTotals(next.totals, { granted: grant.granted });
  return next;
}

/** The state after one ledger event. Pure: the given state is never changed. */
export function evolve(state: AccountState, event: CreditEvent): AccountState {
  return evolveKeyed(state, event, event.source ? idempotencyKey(event.source) : null);
}

/**
 * `evolve`, given the idempotency key of the event's source (null: none). A command's own events
 * all carry its source: decide builds the key once and passes it, where each evolve would build
 * the same string again, and each map look-up hash it again.
 */
export function evolveKeyed(
  state: AccountState,
  event: CreditEvent,
  sourceKey: string | null,
): AccountState {
  const next = evolveCredits(state, event, sourceKey);
  // evolveTerms gives back the same record for events that change no terms.
  next.terms = evolveTerms(state.terms, event, memberChargeFor(state, event), state.membersKept);
  return next;
}

/** The agent and period the generation an event is about counts against, if any. */
function memberChargeFor(state: AccountState, event: CreditEvent): MemberCharge | undefined {
  switch (event.type) {
    case 'GenerationCharged':
      return memberChargeOf(state.terms, event);
    case 'EditKept':
    case 'EditDiscarded':
    case 'HoldLapsed':
      return openGeneration(state, event.generationId)?.member;
    case 'GenerationRefunded':
      return state.generations.settled(event.generationId)?.member;
    default:
      return undefined;
  }
}

function evolveCredits(
  state: AccountState,
  event: CreditEvent,
  sourceKey: string | null,
): NextAccountState {
  const next = successorOf(state);
  switch (event.type) {
    case 'CreditsGranted':
      if (event.kind === 'allowance') next.plan = event.plan ?? state.plan;
      return addGrant(
        next,
        {
          grantId: event.grantId,
          kind: event.kind,
          granted: event.credits,
          usableFromMs: millisOf(event.usableFrom),
          expiresAtMs: event.expiresAt === null ? Infinity : millisOf(event.expiresAt),
          price: event.price ?? null,
        },
        sourceKey,
      );

    case 'GenerationCharged': {
      if (opensNoGeneration(event)) {
        next.generations = settledAs(state, event.generationId, 'free', sourceKey ?? '', null);
        return next;
      }
      const charged = moveCredits(
        state.grants,
        event.chargedFrom,
        REMAINING.kept,
        PINNED.unchanged,
      );
      next.grants = moveCredits(charged, event.heldFrom, REMAINING.unchanged, PINNED.more);
      next.generations = state.generations.withOpened({
        generationId: event.generationId,
        editType: event.editType,
        resolution: event.resolution,
        priceVersion: event.priceVersion,
        generateCost: event.generateCost,
        acceptCost: event.acceptCost,
        held: event.held,
        heldFrom: event.heldFrom,
        chargedFrom: event.chargedFrom,
        holdExpiresAtMs: millisOf(event.holdExpiresAt),
        requestedBy: sourceKey ?? '',
        ...(event.memberId === undefined ? {} : memberOf(state, event)),
      });
      next.totals = addTotals(state.totals, { charged: event.charged });
      next.held = state.held + event.held;
      return next;
    }

    case 'GenerationRefused':
      // A refused generation was never open: only the memory of settled ones changes.
      next.generations = settledAs(state, event.generationId, 'refused', sourceKey ?? '', null);
      return next;

    case 'EditKept': {
      const captured = moveCredits(state.grants, event.capturedFrom, REMAINING.kept, PINNED.less);
      next.generations = settledOpen(state, event.generationId, 'kept', sourceKey, [
        event.capturedFrom,
        event.chargedFrom,
      ]);
      next.grants = moveCredits(captured, event.chargedFrom, REMAINING.kept, PINNED.unchanged);
      next.totals = addTotals(state.totals, { charged: event.captured + event.charged });
      next.held = state.held - event.captured;
      return next;
    }

    case 'EditDiscarded':
    case 'HoldLapsed': {
      const status = event.type === 'EditDiscarded' ? 'discarded' : 'lapsed';
      next.generations = settledOpen(state, event.generationId, status, sourceKey, []);
      next.grants = moveCredits(state.grants, event.releasedTo, REMAINING.unchanged, PINNED.less);
      next.held = state.held - event.released;
      return next;
    }

    case 'CreditsExpired':
      next.grants = moveCredits(state.grants, [takenBy(event)], REMAINING.kept, PINNED.unchanged);
      next.totals = addTotals(state.totals, { lapsed: event.credits });
      return next;

    case 'CreditsVoided': {
      // A voided grant ends now: credits its holds free later are voided then.
      const taken = moveCredits(state.grants, [takenBy(event)], REMAINING.kept, PINNED.unchanged);
      next.grants = endedBy(taken, event.grantId, millisOf(event.at));
      if (!state.voidedGrantIds.has(event.grantId))
        next.voidedGrantIds = state.voidedGrantIds.with(event.grantId, sourceKey ?? '');
      next.totals = addTotals(state.totals, { removed: event.credits });
      return next;
    }

    case 'GenerationRefunded': {
      next.grants = moveCredits(state.grants, event.returnedTo, REMAINING.given, PINNED.unchanged);
      next.totals = addTotals(state.totals, { granted: sumOf(event.returnedTo) });
      for (const grant of event.refundGrants)
        addGrant(
          next,
          {
            grantId: grant.grantId,
            kind: 'refund',
            granted: grant.credits,
            usableFromMs: millisOf(event.at),
            expiresAtMs: millisOf(grant.expiresAt),
            price: grant.price ?? null,
          },
          sourceKey,
        );
      const record = state.generations.settled(event.generationId);
      if (record)
        next.generations = state.generations.withSettled(event.generationId, {
          ...record,
          status: 'refunded',
          refundedBy: sourceKey ?? '',
        });
      return next;
    }

    case 'CreditsAdjusted':
      next.adjustmentIds = state.adjustmentIds.with(event.adjustmentId, sourceKey ?? '');
      if (event.grantId !== null) {
        return addGrant(
          next,
          {
            grantId: event.grantId,
            kind: 'adjustment',
            granted: event.requested,
            usableFromMs: millisOf(event.at),
            expiresAtMs: Infinity,
            price: null,
          },
          sourceKey,
        );
      }
      next.grants = moveCredits(state.grants, event.removedFrom, REMAINING.kept, PINNED.unchanged);
      next.totals = addTotals(state.totals, { removed: sumOf(event.removedFrom) });
      return next;

    case 'BalanceLow':
    case 'BalanceRestored':
    case 'AutoTopUpRequested':
      return next;

    case 'CreditsRolledOver':
      next.grants = moveCredits(
        state.grants,
        [rolledFrom(event)],
        REMAINING.kept,
        PINNED.unchanged,
      );
      next.totals = addTotals(state.totals, { lapsed: event.credits });
      return addGrant(
        next,
        {
          grantId: event.grantId,
          kind: 'rollover',
          granted: event.credits,
          usableFromMs: millisOf(event.usableFrom),
          expiresAtMs: millisOf(event.expiresAt),
          price: event.value ?? null,
        },
        sourceKey,
      );

    // A setting's source is remembered as a record's is, so a redelivery sets nothing again.
    case 'PlanChanged':
    case 'MemberCapSet':
    case 'BalanceThresholdSet':
    case 'AutoTopUpConfigured':
    case 'AcceptRefused':
    case 'EventIgnored':
      if (sourceKey !== null) next.traceOnlySources = state.traceOnlySources.with(sourceKey, true);
      return next;
  }
}

function memberOf(state: AccountState, event: CreditEvent): { member?: MemberCharge } {
  const member = memberChargeOf(state.terms, event);
  return member ? { member } : {};
}

/** The state after a command's own events, which all carry its source (of this key). */
export function foldKeyed(
  events: readonly CreditEvent[],
  state: AccountState,
  sourceKey: string,
): AccountState {
  let current = state;
  for (const event of events) current = evolveKeyed(current, event, sourceKey);
  return current;
}

/** The state after a sequence of events, from `state`. */
export function fold(events: Iterable<CreditEvent>, state: AccountState): AccountState {
  let current = state;
  for (const event of events) current = evolve(current, event);
  return current;
}
