import {
  opensNoGeneration,
  type Allocation,
  type CreditEvent,
  type GenerationCharged,
} from '../events';
import { idempotencyKey } from '../source';
import { millisOf } from '../time';
import type { Grant, ReferenceState, SettledGeneration } from './state';

/**
 * The state after one ledger event: what each event means for the account, in plain terms. The
 * given state is never changed; each change makes new maps.
 */
export function evolve(state: ReferenceState, event: CreditEvent): ReferenceState {
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
      );
    }

    case 'EditDiscarded':
    case 'HoldLapsed':
      return settle(
        { ...next, grants: pinned(state.grants, event.releasedTo, -1) },
        event.generationId,
        event.type === 'EditDiscarded' ? 'discarded' : 'lapsed',
        sourceKey === '' ? null : sourceKey,
      );

    case 'CreditsExpired':
      return {
        ...next,
        grants: consumed(state.grants, [{ grantId: event.grantId, credits: event.credits }]),
      };

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
            sourceKey,
          },
        );
      return { ...next, adjustmentIds, grants: consumed(state.grants, event.removedFrom) };
    }

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
  grant: Omit<Grant, 'sequence' | 'remaining' | 'pinned'> & { sourceKey: string },
): ReferenceState {
  const { sourceKey, ...fields } = grant;
  return {
    ...state,
    grants: new Map(state.grants).set(grant.grantId, {
      ...fields,
      sequence: state.grantsMade,
      remaining: grant.granted,
      pinned: 0,
    }),
    grantsMade: state.grantsMade + 1,
    grantIds: new Map(state.grantIds).set(grant.grantId, sourceKey),
  };
}

/** The grants with the allocated credits gone: consumed, lapsed or removed. */
function consumed(
  grants: ReadonlyMap<string, Grant>,
  allocations: readonly Allocation[],
): ReadonlyMap<string, Grant> {
  return changed(grants, allocations, (grant, credits) => ({
    ...grant,
    remaining: grant.remaining - credits,
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
  change: (grant: Grant, credits: number) => Grant,
): ReadonlyMap<string, Grant> {
  if (allocations.length === 0) return grants;
  const result = new Map(grants);
  for (const { grantId, credits } of allocations) {
    const grant = result.get(grantId);
    if (grant && credits !== 0) result.set(grantId, change(grant, credits));
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
      holdExpiresAtMs: millisOf(event.holdExpiresAt),
      requestedBy,
    }),
    settled,
  };
}

/** The open generation under this id, settled. */
function settle(
  state: ReferenceState,
  generationId: string,
  status: 'kept' | 'discarded' | 'lapsed',
  settledBy: string | null,
): ReferenceState {
  const requestedBy = state.open.get(generationId)?.requestedBy ?? '';
  return withSettled(state, generationId, { status, requestedBy, settledBy });
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
