import { randomUUID } from 'node:crypto';
import type { InputEventType } from '@credits/contract';

/** A wire event of ../shared/CONTRACT.md, as the editor and billing publish it. */
export interface WireEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: InputEventType;
  readonly time: string;
  readonly subject: string;
  readonly data: Record<string, unknown>;
}

export function wireEvent(
  accountId: string,
  type: InputEventType,
  time: string,
  data: Record<string, unknown>,
  id: string = randomUUID(),
): WireEvent {
  return { specversion: '1.0', id, source: 'editor', type, time, subject: accountId, data };
}

/** A deterministic pseudo-random source, so a failing run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const AI_EDITS = [
  'virtual_staging',
  'twilight',
  'object_removal',
  'inpainting',
  'find_and_replace',
];
const RESOLUTIONS = ['1K', '2K', '4K'];
const MONTH_START = Date.parse('2026-11-01T00:00:00Z');
/** What each plan's allowance and each top-up costs, in minor units. */
const ALLOWANCE_PRICES: Readonly<Record<number, number>> = { 30: 2_900, 100: 7_900, 300: 19_900 };
const TOP_UP_PRICES: Readonly<Record<number, number>> = { 20: 2_500, 50: 5_500 };

/** Every fifth account pays in US dollars, the others in euros. */
function currencyOf(accountIndex: number): string {
  return accountIndex % 5 === 4 ? 'USD' : 'EUR';
}

/**
 * A realistic month of editor and billing events for many accounts: a paid allowance each, then
 * generations (mostly AI, some free) at mixed resolutions, accepts and rejects, a few paid
 * top-ups and adjustments, refunds of settled generations and voids of top-ups; accounts
 * interleave, each account's events in time order.
 */
export function realisticMonth(options: {
  accounts: number;
  events: number;
  seed?: number;
  accountPrefix?: string;
}): WireEvent[] {
  const random = seededRandom(options.seed ?? 7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const prefix = options.accountPrefix ?? 'acct';
  const open = new Map<string, string[]>();
  const settled = new Map<string, string[]>();
  const topUps = new Map<string, string[]>();
  const events: WireEvent[] = [];
  const step = (30 * 24 * 3_600_000) / Math.max(1, options.events);
  for (let index = 0; index < options.accounts && events.length < options.events; index += 1) {
    const plan = pick(['starter', 'pro', 'agency']);
    const credits = pick([30, 100, 300]);
    events.push(
      wireEvent(`${prefix}-${index}`, 'AllowanceGranted', new Date(MONTH_START).toISOString(), {
        plan,
        credits,
        periodStart: '2026-11-01T00:00:00Z',
        periodEnd: '2026-12-01T00:00:00Z',
        price: { amount: ALLOWANCE_PRICES[credits], currency: currencyOf(index) },
      }),
    );
  }
  for (let n = events.length; n < options.events; n += 1) {
    const accountIndex = Math.floor(random() * options.accounts);
    const accountId = `${prefix}-${accountIndex}`;
    const time = new Date(MONTH_START + Math.floor(n * step)).toISOString();
    const pending = open.get(accountId) ?? [];
    const done = settled.get(accountId) ?? [];
    const bought = topUps.get(accountId) ?? [];
    const roll = random();
    if (roll < 0.02) {
      const credits = pick([20, 50]);
      events.push(
        wireEvent(accountId, 'TopUpPurchased', time, {
          purchaseId: `p-${n}`,
          credits,
          price: { amount: TOP_UP_PRICES[credits], currency: currencyOf(accountIndex) },
        }),
      );
      topUps.set(accountId, [...bought, `p-${n}`]);
    } else if (roll < 0.024 && done.length > 0) {
      // A failed result, refunded by billing: the earliest settled generation not yet refunded
      // (long settled, so a consumer taking the two topics at their own pace has decided it).
      events.push(
        wireEvent(accountId, 'ChargeRefunded', time, {
          refundId: `r-${n}`,
          generationId: done.shift() as string,
          reason: 'corrupt_result',
        }),
      );
    } else if (roll < 0.0245 && bought.length > 0) {
      events.push(
        wireEvent(accountId, 'GrantVoided', time, {
          grantId: bought.shift() as string,
          reason: 'chargeback',
        }),
      );
    } else if (roll < 0.025) {
      events.push(
        wireEvent(accountId, 'CreditsAdjusted', time, {
          adjustmentId: `adj-${n}`,
          credits: pick([-3, 5]),
          reason: 'support',
        }),
      );
    } else if (pending.length > 0 && roll < 0.5) {
      const generationId = pending.shift() as string;
      settled.set(accountId, [...done, generationId]);
      events.push(
        wireEvent(accountId, roll < 0.38 ? 'EditAccepted' : 'EditRejected', time, { generationId }),
      );
    } else {
      const generationId = `g-${n}`;
      pending.push(generationId);
      open.set(accountId, pending);
      const free = random() < 0.1;
      events.push(
        wireEvent(accountId, 'GenerationRequested', time, {
          generationId,
          editType: free ? pick(['crop', 'rotate', 'color_adjustment']) : pick(AI_EDITS),
          ...(free ? {} : { resolution: pick(RESOLUTIONS) }),
        }),
      );
    }
  }
  return events;
}
