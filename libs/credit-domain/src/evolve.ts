import type { CreditEvent } from './events';
import { insertGrant, moveCredits, sumOf } from './grants';
import { idempotencyKey } from './source';
import {
  openGeneration,
  type AccountState,
  type CreditTotals,
  type SettledStatus,
  withOpened,
} from './state';
import { millisOf } from './time';

const REMAINING = { kept: -1, unchanged: 0 } as const;
const PINNED = { less: -1, unchanged: 0, more: 1 } as const;

function settle(
  state: AccountState,
  generationId: string,
  status: SettledStatus,
  requestedBy: string,
  settledBy: string | null,
): Pick<AccountState, 'open' | 'settled'> {
  return {
    open: state.open.without(generationId),
    settled: state.settled.with(generationId, { status, requestedBy, settledBy }),
  };
}

function addTotals(totals: CreditTotals, change: Partial<CreditTotals>): CreditTotals {
  return {
    granted: totals.granted + (change.granted ?? 0),
    charged: totals.charged + (change.charged ?? 0),
    lapsed: totals.lapsed + (change.lapsed ?? 0),
    removed: totals.removed + (change.removed ?? 0),
  };
}

/** The state after one ledger event. Pure: the given state is never changed. */
export function evolve(state: AccountState, event: CreditEvent): AccountState {
  const next = applyEvent(state, event);
  return { ...next, eventCount: state.eventCount + 1 };
}

function applyEvent(state: AccountState, event: CreditEvent): AccountState {
  const sourceKey = event.source ? idempotencyKey(event.source) : null;
  switch (event.type) {
    case 'CreditsGranted':
      return {
        ...state,
        grants: insertGrant(state.grants, {
          grantId: event.grantId,
          kind: event.kind,
          sequence: state.grantSequence,
          granted: event.credits,
          remaining: event.credits,
          pinned: 0,
          usableFromMs: millisOf(event.usableFrom),
          expiresAtMs: event.expiresAt === null ? Infinity : millisOf(event.expiresAt),
        }),
        grantSequence: state.grantSequence + 1,
        grantIds: state.grantIds.with(event.grantId, sourceKey ?? ''),
        plan: event.kind === 'allowance' ? (event.plan ?? state.plan) : state.plan,
        totals: addTotals(state.totals, { granted: event.credits }),
      };

    case 'GenerationCharged': {
      const charged = moveCredits(
        state.grants,
        event.chargedFrom,
        REMAINING.kept,
        PINNED.unchanged,
      );
      const holdExpiresAtMs = millisOf(event.holdExpiresAt);
      return {
        ...state,
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
          holdExpiresAtMs,
          requestedBy: sourceKey ?? '',
        }),
        totals: addTotals(state.totals, { charged: event.charged }),
      };
    }

    case 'GenerationRefused':
      // A refused generation was never open: only the memory of settled ones changes.
      return {
        ...state,
        settled: state.settled.with(event.generationId, {
          status: 'refused',
          requestedBy: sourceKey ?? '',
          settledBy: null,
        }),
      };

    case 'EditKept': {
      const requestedBy = openGeneration(state, event.generationId)?.requestedBy ?? '';
      const captured = moveCredits(state.grants, event.capturedFrom, REMAINING.kept, PINNED.less);
      return {
        ...state,
        ...settle(state, event.generationId, 'kept', requestedBy, sourceKey),
        grants: moveCredits(captured, event.chargedFrom, REMAINING.kept, PINNED.unchanged),
        totals: addTotals(state.totals, { charged: event.captured + event.charged }),
      };
    }

    case 'EditDiscarded':
    case 'HoldLapsed': {
      const requestedBy = openGeneration(state, event.generationId)?.requestedBy ?? '';
      const status = event.type === 'EditDiscarded' ? 'discarded' : 'lapsed';
      return {
        ...state,
        ...settle(state, event.generationId, status, requestedBy, sourceKey),
        grants: moveCredits(state.grants, event.releasedTo, REMAINING.unchanged, PINNED.less),
      };
    }

    case 'CreditsExpired':
      return {
        ...state,
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
        return {
          ...state,
          adjustmentIds,
          grants: insertGrant(state.grants, {
            grantId: event.grantId,
            kind: 'adjustment',
            sequence: state.grantSequence,
            granted: event.requested,
            remaining: event.requested,
            pinned: 0,
            usableFromMs: millisOf(event.at),
            expiresAtMs: Infinity,
          }),
          grantSequence: state.grantSequence + 1,
          grantIds: state.grantIds.with(event.grantId, sourceKey ?? ''),
          totals: addTotals(state.totals, { granted: event.requested }),
        };
      }
      return {
        ...state,
        adjustmentIds,
        grants: moveCredits(state.grants, event.removedFrom, REMAINING.kept, PINNED.unchanged),
        totals: addTotals(state.totals, { removed: sumOf(event.removedFrom) }),
      };
    }

    case 'AcceptRefused':
    case 'EventIgnored': {
      if (sourceKey === null) return state;
      return { ...state, traceOnlySources: state.traceOnlySources.with(sourceKey, true) };
    }
  }
}

/** The state after a sequence of events, from `state` (the initial state when omitted). */
export function fold(events: Iterable<CreditEvent>, state: AccountState): AccountState {
  let current = state;
  for (const event of events) current = evolve(current, event);
  return current;
}
