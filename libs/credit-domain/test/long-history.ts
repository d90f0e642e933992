import fc from 'fast-check';
import type { AccountCommand, Resolution } from '../src';
import { at, DAY } from './scenario';

/** What shapes one generated account history; the commands follow from it deterministically. */
export interface HistoryPlan {
  readonly seed: number;
  readonly commands: number;
  readonly generationIds: number;
  /** Of the commands, the share that repeat an earlier wire event, soon after or long after. */
  readonly redeliveredSoon: number;
  readonly redeliveredLate: number;
  /** The share of commands whose time is a little before the previous one's. */
  readonly outOfOrder: number;
  /** How generous the grants are: low refuses many generations. */
  readonly creditsPerGrant: number;
  /** The longest gap between commands: short gaps keep many holds open at once. */
  readonly maxGapMs: number;
  /**
   * Of the requests, the share that name a generation never named before; accepts and rejects
   * then name one of the latest `generationIds`. 0 (the default): every id is one of
   * `generationIds` ids, so with the ledger's durable record each can be charged once only.
   */
  readonly freshGenerations?: number;
  /** Of the new wire events, the share stamped up to two days before the clock (late ones). */
  readonly late?: number;
}

export const historyPlan = (commands: { min: number; max: number }): fc.Arbitrary<HistoryPlan> =>
  fc.record({
    seed: fc.integer(),
    commands: fc.integer(commands),
    generationIds: fc.integer({ min: 100, max: 400 }),
    redeliveredSoon: fc.double({ min: 0, max: 0.15, noNaN: true }),
    redeliveredLate: fc.double({ min: 0, max: 0.1, noNaN: true }),
    outOfOrder: fc.double({ min: 0, max: 0.2, noNaN: true }),
    creditsPerGrant: fc.integer({ min: 2, max: 60 }),
    maxGapMs: fc.constantFrom(5 * 60 * 1000, 30 * 60 * 1000, 2 * 60 * 60 * 1000),
  });

/** mulberry32: a small seeded generator, so a plan always makes the same history. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDIT_TYPES = ['virtual_staging', 'twilight', 'object_removal', 'sky_swap', 'crop', 'rotate'];
const RESOLUTIONS: (Resolution | undefined)[] = ['1K', '2K', '4K', '4K', undefined];

/**
 * A long account history: thousands of wire events over hundreds of generation ids, with
 * allowances whose periods end while holds are pinned, top-ups with and without expiry,
 * adjustments both ways (removals past the balance), free edits, accepts and rejects of open,
 * settled, refused and unknown generations, sweeps, times a little out of order (holds then
 * lapse out of order), and redeliveries both soon and thousands of events later (past what the
 * state remembers).
 */
export function longHistory(plan: HistoryPlan): AccountCommand[] {
  const random = generator(plan.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let newest = 0;
  const fresh = plan.freshGenerations ?? 0;
  const generation = () =>
    fresh > 0
      ? `g${Math.max(0, newest - Math.floor(random() * plan.generationIds))}`
      : `g${Math.floor(random() * plan.generationIds)}`;
  const requested = () => (fresh > 0 && random() < fresh ? `g${(newest += 1)}` : generation());
  const commands: AccountCommand[] = [];
  const wireCommands: AccountCommand[] = [];
  let offsetMs = 0;
  let sequence = 0;
  // Half of the grants end at a midnight, so allowances, top-ups and adjustments often end at
  // the same instant and the consumption order's tie-breaks decide.
  const endWithin = (spanMs: number) => {
    const endMs = offsetMs + Math.floor((0.2 + random()) * spanMs);
    return random() < 0.5 ? endMs : Math.ceil(endMs / DAY) * DAY;
  };
  while (commands.length < plan.commands) {
    const roll = random();
    if (wireCommands.length > 0 && roll < plan.redeliveredSoon + plan.redeliveredLate) {
      const recent = roll < plan.redeliveredSoon;
      const back = recent
        ? 1 + Math.floor(random() * 20)
        : Math.max(1, Math.floor(wireCommands.length * (0.2 + 0.8 * random())));
      const original = wireCommands[Math.max(0, wireCommands.length - back)]!;
      commands.push(original);
      continue;
    }
    offsetMs +=
      random() < plan.outOfOrder
        ? -Math.floor(random() * 2 * plan.maxGapMs)
        : Math.floor(random() * plan.maxGapMs);
    offsetMs = Math.max(0, offsetMs);
    const time =
      (plan.late ?? 0) > 0 && random() < plan.late!
        ? at(Math.max(0, offsetMs - Math.floor(random() * 2 * DAY)))
        : at(offsetMs);
    const source = { id: `e${(sequence += 1)}`, producer: random() < 0.9 ? 'editor' : 'billing' };
    const kind = random();
    let command: AccountCommand;
    if (kind < 0.05)
      command = {
        type: 'GrantAllowance',
        at: time,
        source,
        plan: pick(['pro', 'team']),
        credits: 1 + Math.floor(random() * plan.creditsPerGrant * 4),
        periodStart: time,
        periodEnd: at(endWithin(3 * DAY)),
      };
    else if (kind < 0.09)
      command = {
        type: 'PurchaseTopUp',
        at: time,
        source,
        purchaseId: `p${sequence}`,
        credits: 1 + Math.floor(random() * plan.creditsPerGrant),
        ...(random() < 0.5 ? { expiresAt: at(endWithin(5 * DAY)) } : {}),
      };
    else if (kind < 0.11)
      command = {
        type: 'AdjustCredits',
        at: time,
        source,
        adjustmentId: `a${sequence}`,
        credits: (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * plan.creditsPerGrant)),
        reason: 'support',
      };
    else if (kind < 0.13) command = { type: 'ApplyDueExpiries', at: time };
    else if (kind < 0.6) {
      const resolution = pick(RESOLUTIONS);
      command = {
        type: 'RequestGeneration',
        at: time,
        source,
        generationId: requested(),
        editType: pick(EDIT_TYPES),
        ...(resolution ? { resolution } : {}),
      };
    } else if (kind < 0.85)
      command = { type: 'AcceptEdit', at: time, source, generationId: generation() };
    else command = { type: 'RejectEdit', at: time, source, generationId: generation() };
    commands.push(command);
    if (command.type !== 'ApplyDueExpiries') wireCommands.push(command);
  }
  return commands;
}
