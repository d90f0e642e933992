import {
  opensNoGeneration,
  type Allocation,
  type CreditEvent,
  type GenerationCharged,
} from '../events';
import { idempotencyKey } from '../source';
import { millisOf } from '../time';
import { amountOf, mergedByGrant, rolledFrom, takenBy } from '../value';
import { evolveTerms, memberChargeOf } from '../terms/evolve-terms';
import type { MemberCharge } from '../terms/account-terms';
import type { Grant, ReferenceState, SettledGeneration, SettledStatus } from './state';

/**
 * The state after one ledger event: what each event means for the account, in plain terms. The
 * given state is never changed; each change makes new maps.
 */
export function evolve(state: ReferenceState, event: CreditEvent): ReferenceState {
  const terms = evolveTerms(
    state.terms,
    event,
    memberChargeFor(state, event),
    state.memory.membersKept,
  );
  return { ...evolveCredits(state, event), terms };
}

/** The agent and period the generation an event is about counts against, if any. */
function memberChargeFor(state: ReferenceState, event: CreditEvent): MemberCharge | undefined {
  switch (event.type) {
    case 'GenerationCharged':
      return memberChargeOf(state.terms, event);
    case 'EditKept':
    case 'EditDiscarded':
    case 'HoldLapsed':
      return state.open.get(event.generationId)?.member;
    case 'GenerationRefunded':
      return state.settled.get(event.generationId)?.member;
    default:
      return undefined;
  }
}

function evolveCredits(state: ReferenceState, event: CreditEvent): ReferenceState {
  const next = { ...state, eventCount: state.eventCount + 1 };
  const sourceKey = event.source ? idempotencyKey(event.source) : '';
  switch (event.type) {
    case 'CreditsGranted':
      return {
        ...withGrant(next, {
          grantId: event.grantId,
          kind: event.kind,
          granted: event.credits,
          usableFromMs: millisOf(event.usableFrom),
          expiresAtMs: event.expiresAt === null ? Infinity : millisOf(event.expiresAt),
          price: event.price ?? null,
          sourceKey,
        }),
        plan: event.kind === 'allowance' ? (event.plan ?? state.plan) : state.plan,
      };

    case 'GenerationCharged':
      if (opensNoGeneration(event))
        return withSettled(next, event.generationId, {
          status: 'free',
          requestedBy: sourceKey,
          settledBy: null,
        });
      return withOpened(
        {
          ...next,
          grants: pinned(consumed(state.grants, event.chargedFrom), event.heldFrom, +1),
        },
        event,
        sourceKey,
      );

    case 'GenerationRefused':
      return withSettled(next, event.generationId, {
        status: 'refused',
        requestedBy: sourceKey,
        settledBy: null,
      });

    case 'EditKept': {
      // The hold is captured: its credits are consumed, and pinned no more.
      const captured = consumed(pinned(state.grants, event.capturedFrom, -1), event.capturedFrom);
      return settle(
        { ...next, grants: consumed(captured, event.chargedFrom) },
        event.generationId,
        'kept',
        sourceKey,
        [event.capturedFrom, event.chargedFrom],
      );
    }

    case 'EditDiscarded':
    case 'HoldLapsed':
      return settle(
        { ...next, grants: pinned(state.grants, event.releasedTo, -1) },
        event.generationId,
        event.type === 'EditDiscarded' ? 'discarded' : 'lapsed',
        sourceKey === '' ? null : sourceKey,
        [],
      );

    case 'CreditsExpired':
      return { ...next, grants: consumed(state.grants, [takenBy(event)]) };

    case 'CreditsVoided': {
      // A voided grant ends now: credits its holds free later lapse then, as voided.
      const grants = new Map(consumed(state.grants, [takenBy(event)]));
      const grant = grants.get(event.grantId);
      const atMs = millisOf(event.at);
      if (grant && grant.expiresAtMs > atMs)
        grants.set(event.grantId, { ...grant, expiresAtMs: atMs });
      const voidedGrantIds = state.voidedGrantIds.has(event.grantId)
        ? state.voidedGrantIds
        : new Map(state.voidedGrantIds).set(event.grantId, sourceKey);
      return { ...next, grants, voidedGrantIds };
    }

    case 'GenerationRefunded': {
      let refunded: ReferenceState = { ...next, grants: returned(state.grants, event.returnedTo) };
      for (const grant of event.refundGrants)
        refunded = withGrant(refunded, {
          grantId: grant.grantId,
          kind: 'refund',
          granted: grant.credits,
          usableFromMs: millisOf(event.at),
          expiresAtMs: millisOf(grant.expiresAt),
          price: grant.price ?? null,
          sourceKey,
        });
      const record = state.settled.get(event.generationId);
      if (!record) return refunded;
      return withSettled(refunded, event.generationId, {
        ...record,
        status: 'refunded',
        refundedBy: sourceKey,
      });
    }

    case 'CreditsAdjusted': {
      const adjustmentIds = new Map(state.adjustmentIds).set(event.adjustmentId, sourceKey);
      if (event.grantId !== null)
        return withGrant(
          { ...next, adjustmentIds },
          {
            grantId: event.grantId,
            kind: 'adjustment',
            granted: event.requested,
            usableFromMs: millisOf(event.at),
            expiresAtMs: Infinity,
            price: null,
            sourceKey,
          },
        );
      return { ...next, adjustmentIds, grants: consumed(state.grants, event.removedFrom) };
    }

    case 'BalanceLow':
    case 'BalanceRestored':
    case 'AutoTopUpRequested':
      return next;

    case 'CreditsRolledOver':
      return withGrant(
        { ...next, grants: consumed(state.grants, [rolledFrom(event)]) },
        {
          grantId: event.grantId,
          kind: 'rollover',
          granted: event.credits,
          usableFromMs: millisOf(event.usableFrom),
          expiresAtMs: millisOf(event.expiresAt),
          price: event.value ?? null,
          sourceKey,
        },
      );

    // A setting's source is remembered as a record's is, so a redelivery sets nothing again.
    case 'PlanChanged':
    case 'MemberCapSet':
    case 'BalanceThresholdSet':
    case 'AutoTopUpConfigured':
    case 'AcceptRefused':
    case 'EventIgnored':
      if (!event.source) return next;
      return {
        ...next,
        traceOnlySources: newest(
          new Set(state.traceOnlySources).add(sourceKey),
          state.memory.traceOnlySourcesKept,
        ),
      };
  }
}

function withGrant(
  state: ReferenceState,
  grant: Omit<Grant, 'sequence' | 'remaining' | 'pinned' | 'deferred'> & { sourceKey: string },
): ReferenceState {
  const { sourceKey, ...fields } = grant;
  return {
    ...state,
    grants: new Map(state.grants).set(grant.grantId, {
      ...fields,
      sequence: state.grantsMade,
      remaining: grant.granted,
      pinned: 0,
      deferred: grant.price?.amount ?? 0,
    }),
    grantsMade: state.grantsMade + 1,
    grantIds: new Map(state.grantIds).set(grant.grantId, sourceKey),
  };
}

/** The grants with the allocated credits gone, and their value: consumed, lapsed or removed. */
function consumed(
  grants: ReadonlyMap<string, Grant>,
  allocations: readonly Allocation[],
): ReadonlyMap<string, Grant> {
  return changed(grants, allocations, (grant, credits, allocation) => ({
    ...grant,
    remaining: grant.remaining - credits,
    deferred: grant.deferred - amountOf(allocation),
  }));
}

/** The grants with the allocated credits given back, and their value. */
function returned(
  grants: ReadonlyMap<string, Grant>,
  allocations: readonly Allocation[],
): ReadonlyMap<string, Grant> {
  return changed(grants, allocations, (grant, credits, allocation) => ({
    ...grant,
    remaining: grant.remaining + credits,
    deferred: grant.deferred + amountOf(allocation),
  }));
}

/** The grants with the allocated credits pinned (+1) by a hold, or unpinned (-1). */
function pinned(
  grants: ReadonlyMap<string, Grant>,
  allocations: readonly Allocation[],
  direction: 1 | -1,
): ReadonlyMap<string, Grant> {
  return changed(grants, allocations, (grant, credits) => ({
    ...grant,
    pinned: grant.pinned + direction * credits,
  }));
}

/** Applies each allocation to its grant; a grant with nothing left or pinned is spent, and goes. */
function changed(
  grants: ReadonlyMap<string, Grant>,
  allocations: readonly Allocation[],
  change: (grant: Grant, credits: number, allocation: Allocation) => Grant,
): ReadonlyMap<string, Grant> {
  if (allocations.length === 0) return grants;
  const result = new Map(grants);
  for (const allocation of allocations) {
    const grant = result.get(allocation.grantId);
    if (grant && allocation.credits !== 0)
      result.set(allocation.grantId, change(grant, allocation.credits, allocation));
  }
  for (const [grantId, grant] of result)
    if (grant.remaining <= 0 && grant.pinned <= 0) result.delete(grantId);
  return result;
}

function withOpened(
  state: ReferenceState,
  event: GenerationCharged,
  requestedBy: string,
): ReferenceState {
  const settled = new Map(state.settled);
  settled.delete(event.generationId);
  const member = memberChargeOf(state.terms, event);
  return {
    ...state,
    open: new Map(state.open).set(event.generationId, {
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
      requestedBy,
      ...(member ? { member } : {}),
    }),
    settled,
  };
}

/**
 * The open generation under this id, settled: remembered with what it paid from each grant (its
 * charge, and what settling it took).
 */
function settle(
  state: ReferenceState,
  generationId: string,
  status: Extract<SettledStatus, 'kept' | 'discarded' | 'lapsed'>,
  settledBy: string | null,
  takenNow: readonly (readonly Allocation[])[],
): ReferenceState {
  const generation = state.open.get(generationId);
  const paid = mergedByGrant([generation?.chargedFrom ?? [], ...takenNow]);
  return withSettled(state, generationId, {
    status,
    requestedBy: generation?.requestedBy ?? '',
    settledBy,
    paid,
    ...(generation?.member ? { member: generation.member } : {}),
  });
}

/** Remembered as the newest settled generation (and open no more). */
function withSettled(
  state: ReferenceState,
  generationId: string,
  record: SettledGeneration,
): ReferenceState {
  const open = new Map(state.open);
  open.delete(generationId);
  const settled = new Map(state.settled);
  settled.delete(generationId);
  settled.set(generationId, record);
  return { ...state, open, settled: newest(settled, state.memory.settledGenerationsKept) };
}

/** Only the newest `bound` entries (insertion order: the oldest go first). */
function newest<T extends Map<string, unknown> | Set<string>>(entries: T, bound: number): T {
  for (const key of entries.keys()) {
    if (entries.size <= bound) break;
    entries.delete(key);
  }
  return entries;
}
