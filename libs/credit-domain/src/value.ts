import type { Allocation, CreditsRolledOver } from './events';
import type { Money } from './money';

/**
 * What credits are worth.
 *
 * A grant bought for a price keeps its **deferred value**: what its credits still left (held ones
 * included) are worth, in integer minor units. It starts at the price. Credits taken from it
 * (charged, captured, lapsed, voided or removed) take their share of the deferred value, as a
 * part of the credits left, rounded down:
 *
 *     value = ⌊deferred × taken / left⌋,   or all the deferred value when taken = left
 *
 * Rounding down recognises no revenue early: a fraction of a minor unit stays deferred until the
 * grant's last credit takes whatever is left. Credits given back (a refund) bring back exactly
 * the value they took. So a grant's credits recognise, in total, exactly its price: no minor
 * unit appears or vanishes, and no take is worth less than nothing. A grant without a price is
 * free (promotional): its credits carry no value.
 */
export interface Valued {
  readonly remaining: number;
  readonly price: Money | null;
  /** Minor units of the price not yet taken: 0 for a free grant. */
  readonly deferred: number;
}

/** The minor units `credits` taken from a grant with `remaining` credits and `deferred` value. */
export function valueTaken(deferred: number, remaining: number, credits: number): number {
  if (credits >= remaining) return deferred;
  const product = deferred * credits;
  // Beyond 2^53 a float product loses the units the floor keeps; BigInt does not.
  return Number.isSafeInteger(product)
    ? Math.floor(product / remaining)
    : Number((BigInt(deferred) * BigInt(credits)) / BigInt(remaining));
}

/**
 * The allocations of one or more takes, in order, each with the value it takes when its grant
 * is priced. Later lists see the grants as the earlier ones left them (an accept captures its
 * hold, then charges the rest, possibly from the same grant).
 */
export function valuedTakes<const Lists extends readonly (readonly Allocation[])[]>(
  lists: Lists,
  grantOf: (grantId: string) => Valued | undefined,
): { -readonly [Index in keyof Lists]: Allocation[] } {
  type Valuedlists = { -readonly [Index in keyof Lists]: Allocation[] };
  // Most credits are free: nothing to value, nothing to copy.
  if (!lists.some((allocations) => allocations.some((a) => grantOf(a.grantId)?.price)))
    return lists as unknown as Valuedlists;
  // What earlier allocations took from each grant (lists are a few entries long: a scan).
  const taken: { grantId: string; credits: number; value: number }[] = [];
  return lists.map((allocations) =>
    allocations.map((allocation): Allocation => {
      const grant = grantOf(allocation.grantId);
      if (!grant?.price || allocation.credits === 0) return plain(allocation);
      let before = taken.find((entry) => entry.grantId === allocation.grantId);
      if (!before) taken.push((before = { grantId: allocation.grantId, credits: 0, value: 0 }));
      const amount = valueTaken(
        grant.deferred - before.value,
        grant.remaining - before.credits,
        allocation.credits,
      );
      before.credits += allocation.credits;
      before.value += amount;
      return {
        grantId: allocation.grantId,
        credits: allocation.credits,
        value: { amount, currency: grant.price.currency },
      };
    }),
  ) as Valuedlists;
}

/** An allocation of credits only: what holds and releases carry (they recognise nothing). */
export function plain(allocation: Allocation): Allocation {
  return { grantId: allocation.grantId, credits: allocation.credits };
}

/** The credits (and value) a lapse or a void takes from its grant, as an allocation. */
export function takenBy(event: { grantId: string; credits: number; value?: Money }): Allocation {
  return {
    grantId: event.grantId,
    credits: event.credits,
    ...(event.value ? { value: event.value } : {}),
  };
}

/** What a rollover took from the allowance it rolled over. */
export function rolledFrom(event: CreditsRolledOver): Allocation {
  return takenBy({ ...event, grantId: event.fromGrantId });
}

/** The minor units an allocation carries (0 for free credits). */
export function amountOf(allocation: Allocation): number {
  return allocation.value?.amount ?? 0;
}

/**
 * Allocations with one entry per grant, in first-seen order: credits and value added up. A
 * generation's charge, capture and accept charge, as one list of what it paid from each grant.
 */
export function mergedByGrant(lists: readonly (readonly Allocation[])[]): readonly Allocation[] {
  let nonEmpty = 0;
  let only: readonly Allocation[] = [];
  for (const allocations of lists)
    if (allocations.length > 0) {
      nonEmpty += 1;
      only = allocations;
    }
  // A discard or a lapse paid only its charge: that list as it is.
  if (nonEmpty <= 1) return only;
  const merged: Allocation[] = [];
  for (const allocations of lists)
    for (const allocation of allocations) {
      const index = merged.findIndex((entry) => entry.grantId === allocation.grantId);
      const before = merged[index];
      if (!before) {
        merged.push(allocation);
        continue;
      }
      const value = before.value ?? allocation.value;
      merged[index] = {
        grantId: allocation.grantId,
        credits: before.credits + allocation.credits,
        ...(value
          ? { value: { amount: amountOf(before) + amountOf(allocation), currency: value.currency } }
          : {}),
      };
    }
  return merged;
}
