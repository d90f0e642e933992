import type { Allocation, CreditEvent } from './events';
import type { Money } from './money';

/**
 * How a ledger event moves money, in the terms finance closes the books in (revenue
 * recognition). Paid credits are deferred revenue until used or ended:
 *
 * - **sold**: a paid grant (allowance or top-up) adds its price to deferred revenue;
 * - **recognised**: the generate part of a charge when charged, the accept part when the edit is
 *   kept (a released hold recognises nothing);
 * - **breakage**: credits that lapse unused, at their lapse;
 * - **refunded**: a refund's credits bring their value back to deferred revenue;
 * - **voided**: a void, or a negative adjustment, removes credits and their value: not revenue.
 *
 * So, per currency, over any period: opening deferred + sold − recognised − breakage + refunded
 * − voided = closing deferred.
 */
export interface RevenueMove {
  readonly currency: string;
  readonly sold: number;
  readonly recognised: number;
  readonly breakage: number;
  readonly refunded: number;
  readonly voided: number;
}

export const REVENUE_COLUMNS = ['sold', 'recognised', 'breakage', 'refunded', 'voided'] as const;
export type RevenueColumn = (typeof REVENUE_COLUMNS)[number];

/** Nothing moved yet: the start of every tally. */
export function noRevenue(): Record<RevenueColumn, number> {
  return { sold: 0, recognised: 0, breakage: 0, refunded: 0, voided: 0 };
}

/** What a move adds to deferred revenue: sold and refunded in, the rest out. */
export function deferredChange(move: Omit<RevenueMove, 'currency'>): number {
  return move.sold + move.refunded - move.recognised - move.breakage - move.voided;
}

/** The money one ledger event moves, one entry per currency (none for free credits). */
export function revenueOf(event: CreditEvent): RevenueMove[] {
  const moves = new Map<string, Record<RevenueColumn, number>>();
  const add = (column: RevenueColumn, value: Money | undefined) => {
    if (!value) return;
    const move = moves.get(value.currency) ?? noRevenue();
    move[column] += value.amount;
    moves.set(value.currency, move);
  };
  const addAll = (column: RevenueColumn, allocations: readonly Allocation[]) => {
    for (const allocation of allocations) add(column, allocation.value);
  };
  switch (event.type) {
    case 'CreditsGranted':
      add('sold', event.price);
      break;
    case 'GenerationCharged':
      addAll('recognised', event.chargedFrom);
      break;
    case 'EditKept':
      addAll('recognised', event.capturedFrom);
      addAll('recognised', event.chargedFrom);
      break;
    case 'CreditsExpired':
      add('breakage', event.value);
      break;
    case 'CreditsVoided':
      add('voided', event.value);
      break;
    case 'CreditsAdjusted':
      addAll('voided', event.removedFrom);
      break;
    case 'GenerationRefunded':
      addAll('refunded', event.returnedTo);
      for (const grant of event.refundGrants) add('refunded', grant.price);
      break;
    default:
      break;
  }
  return [...moves].map(([currency, move]) => ({ currency, ...move }));
}

/** Movements added up under one key: the first item that moved it, its currency, the sums. */
export interface RevenueTally<T> {
  readonly first: T;
  readonly currency: string;
  readonly sums: Record<RevenueColumn, number>;
}

/**
 * The money these items' events move, added up per key (a currency; a currency and a day; an
 * account, a currency and a day): the one tally behind every report, read model and check.
 */
export function tallyRevenue<T>(
  items: Iterable<T>,
  eventOf: (item: T) => CreditEvent,
  keyOf: (item: T, currency: string) => string,
): Map<string, RevenueTally<T>> {
  const tallies = new Map<string, RevenueTally<T>>();
  for (const item of items)
    for (const move of revenueOf(eventOf(item))) {
      const key = keyOf(item, move.currency);
      let tally = tallies.get(key);
      if (!tally)
        tallies.set(key, (tally = { first: item, currency: move.currency, sums: noRevenue() }));
      for (const column of REVENUE_COLUMNS) tally.sums[column] += move[column];
    }
  return tallies;
}
