import { randomUUID } from 'node:crypto';
import type { EditorEventType } from '@credits/contract';

/** A wire event of ../shared/CONTRACT.md, as the editor and billing publish it. */
export interface WireEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: EditorEventType;
  readonly time: string;
  readonly subject: string;
  readonly data: Record<string, unknown>;
}

export function wireEvent(
  accountId: string,
  type: EditorEventType,
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

/**
 * A realistic month of editor and billing events for many accounts: an allowance each, then
 * generations (mostly AI, some free) at mixed resolutions, accepts and rejects, a few top-ups
 * and adjustments; accounts interleave, each account's events in time order.
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
  const events: WireEvent[] = [];
  const step = (30 * 24 * 3_600_000) / Math.max(1, options.events);
  for (let index = 0; index < options.accounts && events.length < options.events; index += 1) {
    events.push(
      wireEvent(`${prefix}-${index}`, 'AllowanceGranted', new Date(MONTH_START).toISOString(), {
        plan: pick(['starter', 'pro', 'agency']),
        credits: pick([30, 100, 300]),
        periodStart: '2026-11-01T00:00:00Z',
        periodEnd: '2026-12-01T00:00:00Z',
      }),
    );
  }
  for (let n = events.length; n < options.events; n += 1) {
    const accountId = `${prefix}-${Math.floor(random() * options.accounts)}`;
    const time = new Date(MONTH_START + Math.floor(n * step)).toISOString();
    const pending = open.get(accountId) ?? [];
    const roll = random();
    if (roll < 0.02) {
      events.push(
        wireEvent(accountId, 'TopUpPurchased', time, {
          purchaseId: `p-${n}`,
          credits: pick([20, 50]),
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
