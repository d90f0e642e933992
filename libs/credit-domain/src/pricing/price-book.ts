import { millisOf, type Instant } from '../time';
import type { Resolution } from './edit-types';

export interface EditPrice {
  /** Charged when the generation is made, kept or not. */
  readonly generate: number;
  /** Charged when the user keeps the result. */
  readonly accept: number;
}

/**
 * One version of the catalog: the prices, and the plans, in force from `effectiveFrom` until the
 * next version starts.
 */
export interface PriceBookVersion {
  readonly version: string;
  readonly effectiveFrom: Instant;
  readonly aiEdit: Readonly<Record<Resolution, EditPrice>>;
  /** Edit types that cost nothing at any resolution (still recorded). */
  readonly freeEditTypes: readonly string[];
  /** The plans by name; a plan not named here takes the rules' defaults. */
  readonly plans?: Readonly<Record<string, PlanTerms>>;
}

/** What a plan gives and how it behaves. */
export interface PlanTerms {
  /** Credits per allowance period (what an upgrade prorates). */
  readonly allowanceCredits: number;
  readonly reservation?: 'reserve_kept_cost' | 'reserve_generate_only';
  /** The low-balance threshold of accounts on the plan that set none. */
  readonly balanceThresholdCredits?: number;
  readonly rollover?: RolloverRule;
}

/** How much unused allowance carries into the next period. */
export interface RolloverRule {
  /** Of the allowance left unused at the period's end, this share (0–1) rolls over, rounded down. */
  readonly fraction: number;
  /** At most this many credits roll over. */
  readonly capCredits: number;
  /** How many periods the rolled-over credits last (1 by default). */
  readonly periods?: number;
}

/** A plan's terms in the version in force at `atMs`, if the catalog names it. */
export function planAt(book: PriceBook, plan: string | null, atMs: number): PlanTerms | undefined {
  if (plan === null) return undefined;
  const plans = versionAt(book, atMs).plans;
  return plans !== undefined && Object.hasOwn(plans, plan) ? plans[plan] : undefined;
}

/** Versions in any order; `priceAt` picks the one in force at an event's time. */
export interface PriceBook {
  readonly versions: readonly PriceBookVersion[];
}

export interface Price extends EditPrice {
  readonly version: string;
  readonly free: boolean;
}

export const STANDARD_PRICES: PriceBookVersion = {
  version: '2026-01',
  effectiveFrom: '1970-01-01T00:00:00.000Z',
  aiEdit: {
    '1K': { generate: 1, accept: 2 },
    '2K': { generate: 1, accept: 2 },
    '4K': { generate: 2, accept: 4 },
  },
  freeEditTypes: ['color_adjustment', 'rotate', 'crop'],
};

export const STANDARD_PRICE_BOOK: PriceBook = { versions: [STANDARD_PRICES] };

/** The version in force at `atMs`: the latest that started at or before it (else the earliest). */
export function versionAt(book: PriceBook, atMs: number): PriceBookVersion {
  let earliest: { fromMs: number; version: PriceBookVersion } | undefined;
  let inForce: { fromMs: number; version: PriceBookVersion } | undefined;
  for (const version of book.versions) {
    const fromMs = millisOf(version.effectiveFrom);
    if (earliest === undefined || fromMs < earliest.fromMs) earliest = { fromMs, version };
    if (fromMs <= atMs && (inForce === undefined || fromMs >= inForce.fromMs))
      inForce = { fromMs, version };
  }
  const chosen = inForce ?? earliest;
  if (chosen === undefined) throw new RangeError('a price book needs at least one version');
  return chosen.version;
}

/**
 * What an edit costs at `atMs`. A free edit type costs 0 at any resolution; every other type is
 * an AI edit and needs a resolution (undefined is returned without one, for the caller to refuse).
 */
export function priceAt(
  book: PriceBook,
  editType: string,
  resolution: Resolution | undefined,
  atMs: number,
): Price | undefined {
  const entry = versionAt(book, atMs);
  if (entry.freeEditTypes.includes(editType))
    return { version: entry.version, free: true, generate: 0, accept: 0 };
  if (resolution === undefined) return undefined;
  return { version: entry.version, free: false, ...entry.aiEdit[resolution] };
}
