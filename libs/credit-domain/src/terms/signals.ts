import type { AutoTopUpRequested, BalanceLow, BalanceRestored, CreditEvent } from '../events';
import type { SourceEvent } from '../source';
import type { Instant } from '../time';
import type { AccountTerms } from './account-terms';

/**
 * What the account's balance tells billing and the owner after a command changed it, with
 * `available` credits at its time: BalanceLow once when they fall below the threshold, BalanceRestored once
 * when they are back at or above it; and, with automatic top-ups on, AutoTopUpRequested when
 * they are below its threshold and no request is outstanding (none since the last top-up, or the
 * last one older than `autoTopUpTimeoutMs`). A burst of generations thus asks once.
 */
export function signalsAfter(
  terms: AccountTerms,
  signal: {
    readonly at: Instant;
    readonly atMs: number;
    readonly source: SourceEvent | undefined;
    readonly available: number;
    /** The threshold in force: the account's, else its plan's default, else 0 (none). */
    readonly threshold: number;
    readonly autoTopUpTimeoutMs: number;
  },
): readonly CreditEvent[] {
  const { at, atMs, available, threshold } = signal;
  const crossesThreshold = terms.balanceLow ? available >= threshold : available < threshold;
  const auto = terms.autoTopUp;
  const outstanding = terms.autoTopUpRequest;
  const waiting =
    outstanding !== null && atMs - outstanding.requestedAtMs < signal.autoTopUpTimeoutMs;
  const asksForTopUp = auto !== null && available < auto.threshold && !waiting;
  if (!crossesThreshold && !asksForTopUp) return NO_SIGNALS;
  const base = signal.source ? { at, source: signal.source } : { at };
  const events: CreditEvent[] = [];
  if (crossesThreshold && !terms.balanceLow)
    events.push({ type: 'BalanceLow', ...base, available, threshold } satisfies BalanceLow);
  else if (crossesThreshold)
    events.push({
      type: 'BalanceRestored',
      ...base,
      available,
      threshold,
    } satisfies BalanceRestored);
  if (asksForTopUp)
    events.push({
      type: 'AutoTopUpRequested',
      ...base,
      requestId: `auto-top-up:${terms.autoTopUpsRequested + 1}`,
      credits: auto.credits,
      ...(auto.price ? { price: auto.price } : {}),
      available,
      threshold: auto.threshold,
    } satisfies AutoTopUpRequested);
  return events;
}

const NO_SIGNALS: readonly CreditEvent[] = Object.freeze([]);
