import type { CreditEvent } from './events';
import { insertGrant, moveCredits, sumOf } from './grants';
import { idempotencyKey } from './source';
import {
  openGeneration,
  type AccountState,
  type CreditTotals,
  type Grant,
  type SettledStatus,
  withOpened,
} from './state';
import { millisOf } from './time';

const REMAINING = { kept: -1, unchanged: 0 } as const;
const PINNED = { less: -1, unchanged: 0, more: 1 } as const;

function settledWith(
  state: AccountState,
  generationId: string,
  status: SettledStatus,
  requestedBy: string,
  settledBy: string | null,
): AccountState['settled'] {
  return state.settled.with(generationId, { status, requestedBy, settledBy });
}

function addTotals(totals: CreditTotals, change: Partial<CreditTotals>): CreditTotals {
  return {
    granted: totals.granted + (change.granted ?? 0),
    charged: totals.charged + (change.charged ?? 0),
    lapsed: totals.lapsed + (change.lapsed ?? 0),
    removed: totals.removed + (change.removed ?? 0),
  };
}

/**
 * The state with a new grant. Every case below builds the next state in one literal from one
 * spread of the state: V8 copies that fast, and a second spread would take its slow path.
 */
function withGrant(
  state: AccountState,
  eventCount: number,
  grant: Omit<Grant, 'sequence' | 'remaining' | 'pinned'>,
  sourceKey: string | null,
  plan: AccountState['plan'],
  adjustmentIds: AccountState['adjustmentIds'],
): AccountState {
  return {
    ...state,
    eventCount,
    // Spelled out, not spread: every grant then has one shape, which keeps the grant loops fast.
    grants: insertGrant(state.grants, {
      grantId: grant.grantId,
      kind: grant.kind,
      sequence: state.grantSequence,
      granted: grant.granted,
      remaining: grant.granted,
      pinned: 0,
      usableFromMs: grant.usableFromMs,
      expiresAtMs: grant.expiresAtMs,
    }),
    grantSequence: state.grantSequence + 1,
    grantIds: state.grantIds.with(grant.grantId, sourceKey ?? ''),
    latestUsableFromMs: Math.max(state.latestUsableFromMs, grant.usableFromMs),
    totals: addTotals(state.totals, { granted: grant.granted }),
    plan,
    adjustmentIds,
  };
}

/**
 * The states the latest decision reached while deciding, by the event that led there: decide
 * folds the lapses due before a command, and a command's own events when something may end at
 * once, to see what follows. The caller then folds the same events from the same state; evolve
 * is pure, so the state decide reached is the answer, and it is returned rather than computed
 * again. Only the latest decision's few steps are kept (a WeakMap keyed by event cost more in
 * garbage collection than it saved).
 */
const lookedAhead: { from: AccountState; event: CreditEvent; to: AccountState }[] = [];

/** Forgets the previous decision's look-ahead: called as a decision starts. */
export function startLookingAhead(): void {
  lookedAhead.length = 0;
}

/** `evolve`, remembering the result for the caller's fold of the same event from the same state. */
export function evolveAhead(state: AccountState, event: CreditEvent): AccountState {
  const next = evolveOnce(state, event);
  lookedAhead.push({ from: state, event, to: next });
  return next;
}

/** The state after one ledger event. Pure: the given state is never changed. */
export function evolve(state: AccountState, event: CreditEvent): AccountState {
  for (const step of lookedAhead) if (step.event === event && step.from === state) return step.to;
  return evolveOnce(state, event);
}

function evolveOnce(state: AccountState, event: CreditEvent): AccountState {
  const sourceKey = event.source ? idempotencyKey(event.source) : null;
  const eventCount = state.eventCount + 1;
  switch (event.type) {
    case 'CreditsGranted':
      return withGrant(
        state,
        eventCount,
        {
          grantId: event.grantId,
          kind: event.kind,
          granted: event.credits,
          usableFromMs: millisOf(event.usableFrom),
          expiresAtMs: event.expiresAt === null ? Infinity : millisOf(event.expiresAt),
        },
        sourceKey,
        event.kind === 'allowance' ? (event.plan ?? state.plan) : state.plan,
        state.adjustmentIds,
      );

    case 'GenerationCharged': {
      const charged = moveCredits(
        state.grants,
        event.chargedFrom,
        REMAINING.kept,
        PINNED.unchanged,
      );
      return {
        ...state,
        eventCount,
        grants: moveCredits(charged, event.heldFrom, REMAINING.unchanged, PINNED.more),
        open: withOpened(state.open, {
          generationId: event.generationId,
          editType: event.editType,
          resolution: event.resolution,
          priceVersion: event.priceVersion,
          generateCost: event.generateCost,
          acceptCost: event.acceptCost,
          held: event.held,
          heldFrom: event.heldFrom,
          holdExpiresAtMs: millisOf(event.holdExpiresAt),
          requestedBy: sourceKey ?? '',
        }),
        totals: addTotals(state.totals, { charged: event.charged }),
        held: state.held + event.held,
      };
    }

    case 'GenerationRefused':
      // A refused generation was never open: only the memory of settled ones changes.
      return {
        ...state,
        eventCount,
        settled: settledWith(state, event.generationId, 'refused', sourceKey ?? '', null),
      };

    case 'EditKept': {
      const requestedBy = openGeneration(state, event.generationId)?.requestedBy ?? '';
      const captured = moveCredits(state.grants, event.capturedFrom, REMAINING.kept, PINNED.less);
      return {
        ...state,
        eventCount,
        open: state.open.without(event.generationId),
        settled: settledWith(state, event.generationId, 'kept', requestedBy, sourceKey),
        grants: moveCredits(captured, event.chargedFrom, REMAINING.kept, PINNED.unchanged),
        totals: addTotals(state.totals, { charged: event.captured + event.charged }),
        held: state.held - event.captured,
      };
    }

    case 'EditDiscarded':
    case 'HoldLapsed': {
      const requestedBy = openGeneration(state, event.generationId)?.requestedBy ?? '';
      const status = event.type === 'EditDiscarded' ? 'discarded' : 'lapsed';
      return {
        ...state,
        eventCount,
        open: state.open.without(event.generationId),
        settled: settledWith(state, event.generationId, status, requestedBy, sourceKey),
        grants: moveCredits(state.grants, event.releasedTo, REMAINING.unchanged, PINNED.less),
        held: state.held - event.released,
      };
    }

    case 'CreditsExpired':
      return {
        ...state,
        eventCount,
        grants: moveCredits(
          state.grants,
          [{ grantId: event.grantId, credits: event.credits }],
          REMAINING.kept,
          PINNED.unchanged,
        ),
        totals: addTotals(state.totals, { lapsed: event.credits }),
      };

    case 'CreditsAdjusted': {
      const adjustmentIds = state.adjustmentIds.with(event.adjustmentId, sourceKey ?? '');
      if (event.grantId !== null) {
        return withGrant(
          state,
          eventCount,
          {
            grantId: event.grantId,
            kind: 'adjustment',
            granted: event.requested,
            usableFromMs: millisOf(event.at),
            expiresAtMs: Infinity,
          },
          sourceKey,
          state.plan,
          adjustmentIds,
        );
      }
      return {
        ...state,
        eventCount,
        adjustmentIds,
        grants: moveCredits(state.grants, event.removedFrom, REMAINING.kept, PINNED.unchanged),
        totals: addTotals(state.totals, { removed: sumOf(event.removedFrom) }),
      };
    }

    case 'AcceptRefused':
    case 'EventIgnored':
      return {
        ...state,
        eventCount,
        traceOnlySources:
          sourceKey === null
            ? state.traceOnlySources
            : state.traceOnlySources.with(sourceKey, true),
      };
  }
}

/** The state after a sequence of events, from `state` (the initial state when omitted). */
export function fold(events: Iterable<CreditEvent>, state: AccountState): AccountState {
  let current = state;
  for (const event of events) current = evolve(current, event);
  return current;
}
