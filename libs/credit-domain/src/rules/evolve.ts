import { opensNoGeneration, type Allocation, type CreditEvent } from '../events';
import { idempotencyKey } from '../source';
import {
  addGrant,
  capture,
  consume,
  endGrant,
  giveBack,
  openGeneration,
  openGenerationIn,
  pin,
  rememberAdjustment,
  rememberRecord,
  rememberVoid,
  settledGeneration,
  settleGeneration,
  successor,
  unpin,
  type AccountState,
  type NextAccountState,
  type SettledStatus,
} from '../state/account';
import { unreachable } from '../state/assertions';
import { millisOf } from '../time';
import { evolveTerms, memberChargeOf } from '../terms/evolve-terms';
import type { MemberCharge } from '../terms/account-terms';
import { mergedByGrant, rolledFrom, takenBy } from '../value';

/** The state after one ledger event. Pure: the given state is never changed. */
export function evolve(state: AccountState, event: CreditEvent): AccountState {
  return evolveKeyed(state, event, event.source ? idempotencyKey(event.source) : null);
}

/**
 * `evolve`, given the idempotency key of the event's source (null: none): a command's events all
 * carry its source, so deciding builds the key once for all of them.
 */
export function evolveKeyed(
  state: AccountState,
  event: CreditEvent,
  sourceKey: string | null,
): AccountState {
  const next = successor(state);
  evolveCredits(next, state, event, sourceKey);
  // evolveTerms gives back the same record for events that change no terms.
  next.terms = evolveTerms(state.terms, event, memberChargeFor(state, event), state.membersKept);
  return next;
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

/** What one event does to the credits, grants, generations and remembered ids of `next`. */
function evolveCredits(
  next: NextAccountState,
  before: AccountState,
  event: CreditEvent,
  sourceKey: string | null,
): void {
  const by = sourceKey ?? '';
  switch (event.type) {
    case 'CreditsGranted':
      if (event.kind === 'allowance') next.plan = event.plan ?? next.plan;
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
        by,
      );

    case 'GenerationCharged':
      // A free edit holds nothing: remembered as settled at once, never open.
      if (opensNoGeneration(event))
        return settleGeneration(next, event.generationId, {
          status: 'free',
          requestedBy: by,
          settledBy: null,
        });
      consume(next, event.chargedFrom, 'charged');
      pin(next, event.heldFrom);
      return openGenerationIn(next, {
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
        requestedBy: by,
        ...memberOf(before, event),
      });

    case 'GenerationRefused':
      // A refused generation was never open: only the memory of settled ones changes.
      return settleGeneration(next, event.generationId, {
        status: 'refused',
        requestedBy: by,
        settledBy: null,
      });

    case 'EditKept':
      capture(next, event.capturedFrom);
      consume(next, event.chargedFrom, 'charged');
      return settleOpen(next, before, event.generationId, 'kept', sourceKey, [
        event.capturedFrom,
        event.chargedFrom,
      ]);

    case 'EditDiscarded':
      unpin(next, event.releasedTo);
      return settleOpen(next, before, event.generationId, 'discarded', sourceKey, []);

    case 'HoldLapsed':
      unpin(next, event.releasedTo);
      return settleOpen(next, before, event.generationId, 'lapsed', null, []);

    case 'CreditsExpired':
      return consume(next, [takenBy(event)], 'lapsed');

    case 'CreditsVoided':
      if (event.credits > 0) consume(next, [takenBy(event)], 'removed');
      // A voided grant ends now: credits its holds free later are voided then.
      endGrant(next, event.grantId, millisOf(event.at));
      return rememberVoid(next, event.grantId, by);

    case 'GenerationRefunded': {
      giveBack(next, event.returnedTo);
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
          by,
        );
      const record = settledGeneration(before, event.generationId);
      if (record)
        settleGeneration(next, event.generationId, {
          ...record,
          status: 'refunded',
          refundedBy: by,
        });
      return;
    }

    case 'CreditsAdjusted':
      rememberAdjustment(next, event.adjustmentId, by);
      if (event.grantId === null) return consume(next, event.removedFrom, 'removed');
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
        by,
      );

    case 'CreditsRolledOver':
      consume(next, [rolledFrom(event)], 'lapsed');
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
        by,
      );

    case 'BalanceLow':
    case 'BalanceRestored':
    case 'AutoTopUpRequested':
      return;

    // A setting's source is remembered as a record's is, so a redelivery sets nothing again.
    case 'PlanChanged':
    case 'MemberCapSet':
    case 'BalanceThresholdSet':
    case 'AutoTopUpConfigured':
    case 'AcceptRefused':
    case 'EventIgnored':
      if (sourceKey !== null) rememberRecord(next, sourceKey);
      return;

    default:
      return unreachable(event, 'a ledger event type');
  }
}

/**
 * The open generation settled, remembered with what it paid from each grant (its charge, and
 * what settling it took): what a refund gives back.
 */
function settleOpen(
  next: NextAccountState,
  before: AccountState,
  generationId: string,
  status: SettledStatus,
  settledBy: string | null,
  takenNow: readonly (readonly Allocation[])[],
): void {
  const generation = openGeneration(before, generationId);
  settleGeneration(next, generationId, {
    status,
    requestedBy: generation?.requestedBy ?? '',
    settledBy,
    paid: mergedByGrant([generation?.chargedFrom ?? [], ...takenNow]),
    ...(generation?.member ? { member: generation.member } : {}),
  });
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
      return settledGeneration(state, event.generationId)?.member;
    default:
      return undefined;
  }
}

function memberOf(state: AccountState, event: CreditEvent): { member?: MemberCharge } {
  const member = memberChargeOf(state.terms, event);
  return member ? { member } : {};
}
