import fc from 'fast-check';
import {
  STANDARD_PRICES,
  STANDARD_RULES,
  type AccountCommand,
  type CreditRules,
  type Resolution,
} from '../src';
import { at, DAY } from './scenario';

const GENERATIONS = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'];
const EDIT_TYPES = [
  'virtual_staging',
  'twilight',
  'inpainting',
  'sky_swap',
  'crop',
  'rotate',
  'color_adjustment',
];
const RESOLUTIONS: (Resolution | undefined)[] = ['1K', '2K', '4K', undefined];

/** A command without its time and event id: the sequence arbitrary assigns both in order. */
type Draft = (atInstant: string, id: string, offsetMs: number) => AccountCommand;
const src = (id: string) => ({ id, producer: 'editor' });
/** A grant's cost basis: the rules carry it, whatever it is. */
const MEMBERS = ['agent-a', 'agent-b', 'agent-c'] as const;

const price = fc.record({
  amount: fc.integer({ min: 0, max: 1_000_000 }),
  currency: fc.constantFrom('EUR', 'USD', 'JPY'),
});

const draft: fc.Arbitrary<Draft> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .record({
        credits: fc.integer({ min: 1, max: 12 }),
        days: fc.integer({ min: 1, max: 6 }),
        plan: fc.constantFrom('pro', 'lite'),
        price: fc.option(price),
      })
      .map(({ credits, days, plan, price }): Draft => (a, id, offset) => ({
        type: 'GrantAllowance',
        at: a,
        source: src(id),
        plan,
        credits,
        periodStart: a,
        periodEnd: at(offset + days * DAY),
        ...(price === null ? {} : { price }),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        credits: fc.integer({ min: 1, max: 12 }),
        days: fc.option(fc.integer({ min: 1, max: 6 })),
        price: fc.option(price),
      })
      .map(({ credits, days, price }): Draft => (a, id, offset) => ({
        type: 'PurchaseTopUp',
        at: a,
        source: src(id),
        purchaseId: `p-${id}`,
        credits,
        ...(days === null ? {} : { expiresAt: at(offset + days * DAY) }),
        ...(price === null ? {} : { price }),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: -8, max: 8 })
      .filter((n) => n !== 0)
      .map((credits): Draft => (a, id) => ({
        type: 'AdjustCredits',
        at: a,
        source: src(id),
        adjustmentId: `a-${id}`,
        credits,
        reason: 'test',
      })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        generationId: fc.constantFrom(...GENERATIONS),
        editType: fc.constantFrom(...EDIT_TYPES),
        resolution: fc.constantFrom(...RESOLUTIONS),
        memberId: fc.option(fc.constantFrom(...MEMBERS), { freq: 2 }),
      })
      .map(({ generationId, editType, resolution, memberId }): Draft => (a, id) => ({
        type: 'RequestGeneration',
        at: a,
        source: src(id),
        generationId,
        editType,
        ...(resolution ? { resolution } : {}),
        ...(memberId ? { memberId } : {}),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ memberId: fc.constantFrom(...MEMBERS), credits: fc.nat(12) })
      .map(({ memberId, credits }): Draft => (a, id) => ({
        type: 'SetMemberCap',
        at: a,
        source: src(id),
        memberId,
        credits,
      })),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.nat(10).map((credits): Draft => (a, id) => ({
        type: 'SetBalanceThreshold',
        at: a,
        source: src(id),
        credits,
      })),
      fc
        .record({ threshold: fc.nat(10), credits: fc.nat(8), price: fc.option(price) })
        .map(({ threshold, credits, price }): Draft => (a, id) => ({
          type: 'ConfigureAutoTopUp',
          at: a,
          source: src(id),
          threshold,
          credits,
          ...(price ? { price } : {}),
        })),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...GENERATIONS).map((generationId): Draft => (a, id) => ({
      type: 'AcceptEdit',
      at: a,
      source: src(id),
      generationId,
    })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...GENERATIONS).map((generationId): Draft => (a, id) => ({
      type: 'RejectEdit',
      at: a,
      source: src(id),
      generationId,
    })),
  },
  {
    weight: 2,
    // Mostly the latest generation requested (chosen with the sequence, see `withTargets`).
    arbitrary: fc
      .option(fc.constantFrom(...GENERATIONS), { freq: 3 })
      .map((generationId): Draft => (a, id) => ({
        type: 'RefundCharge',
        at: a,
        source: src(id),
        refundId: `r-${id}`,
        generationId: generationId ?? LATEST_GENERATION,
        reason: 'corrupt_result',
      })),
  },
  {
    weight: 1,
    // Which earlier grant it voids is chosen once the sequence is known (see `withTargets`).
    arbitrary: fc.nat(8).map((which): Draft => (a, id) => ({
      type: 'VoidGrant',
      at: a,
      source: src(id),
      grantId: `${VOID_PLACEHOLDER}${which}`,
      reason: 'chargeback',
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constant((a: string): AccountCommand => ({ type: 'ApplyDueExpiries', at: a })),
  },
);

const VOID_PLACEHOLDER = '#grant-';
const LATEST_GENERATION = '#latest';

/** The grant id a command grants, if it grants one. */
function grantIdOf(command: AccountCommand): string | null {
  switch (command.type) {
    case 'GrantAllowance':
      return `allowance:${command.plan}:${command.periodStart}`;
    case 'PurchaseTopUp':
      return `top-up:${command.purchaseId}`;
    case 'AdjustCredits':
      return command.credits > 0 ? `adjustment:${command.adjustmentId}` : null;
    default:
      return null;
  }
}

/**
 * Voids name one of the grants made before them (or one never made, when none was); refunds of
 * the latest generation name the latest requested before them.
 */
function withTargets(commands: AccountCommand[]): AccountCommand[] {
  const granted: string[] = [];
  let latestGeneration = GENERATIONS[0]!;
  return commands.map((command) => {
    const grantId = grantIdOf(command);
    if (grantId !== null) granted.push(grantId);
    if (command.type === 'RequestGeneration') latestGeneration = command.generationId;
    if (command.type === 'RefundCharge' && command.generationId === LATEST_GENERATION)
      return { ...command, generationId: latestGeneration };
    if (command.type !== 'VoidGrant' || !command.grantId.startsWith(VOID_PLACEHOLDER))
      return command;
    const which = Number(command.grantId.slice(VOID_PLACEHOLDER.length));
    return {
      ...command,
      grantId: granted.length === 0 ? 'top-up:never' : granted[which % granted.length]!,
    };
  });
}

/** An account's unique wire events in time order: gaps from none to over a day (holds lapse). */
export const commandSequence: fc.Arbitrary<AccountCommand[]> = fc
  .array(fc.tuple(draft, fc.integer({ min: 0, max: 30 * 60 * 60 * 1000 })), {
    minLength: 1,
    maxLength: 60,
  })
  .map((steps) => {
    let offset = 0;
    return withTargets(
      steps.map(([make, gap], index) => {
        offset += gap;
        return make(at(offset), `e${index}`, offset);
      }),
    );
  });

/**
 * The same sequence with some wire events delivered again later, as producer retries and
 * consumer redeliveries do: each repeat lands anywhere after its original.
 */
export const withRedeliveries = commandSequence.chain((unique) =>
  fc
    .array(fc.tuple(fc.nat(unique.length - 1), fc.nat(unique.length)), { maxLength: 20 })
    .map((repeats) => {
      const delivered: AccountCommand[] = [...unique];
      for (const [which, delay] of repeats) {
        const original = unique[which]!;
        if (original.type === 'ApplyDueExpiries') continue;
        const position = Math.min(delivered.indexOf(original) + 1 + delay, delivered.length);
        delivered.splice(position, 0, original);
      }
      return { unique, delivered };
    }),
);

/**
 * A catalog whose plans are the ones the generated allowances name: pro rolls half its unused
 * allowance over (at most 5), lite all of it (at most 2, for two periods), reserves only the
 * generate part and warns below 3 credits.
 */
export const PLAN_RULES: CreditRules = {
  ...STANDARD_RULES,
  priceBook: {
    versions: [
      {
        ...STANDARD_PRICES,
        version: 'plans',
        plans: {
          pro: { allowanceCredits: 8, rollover: { fraction: 0.5, capCredits: 5 } },
          lite: {
            allowanceCredits: 4,
            reservation: 'reserve_generate_only',
            balanceThresholdCredits: 3,
            rollover: { fraction: 1, capCredits: 2, periods: 2 },
          },
        },
      },
    ],
  },
};

/** `commandSequence` with plan changes (to plans PLAN_RULES names) among the commands. */
export const planCommandSequence: fc.Arbitrary<AccountCommand[]> = commandSequence.chain(
  (commands) =>
    fc
      .array(
        fc.tuple(
          fc.nat(commands.length),
          fc.constantFrom('pro', 'lite'),
          fc.integer({ min: -DAY, max: 3 * DAY }),
        ),
        { maxLength: 6 },
      )
      .map((changes) => {
        const result = [...commands];
        changes.forEach(([position, plan, offsetMs], index) => {
          const at = (result[Math.min(position, result.length - 1)] ?? result[0])!.at;
          const effectiveMs = Math.max(0, Date.parse(at) + offsetMs);
          result.splice(Math.min(position + 1, result.length), 0, {
            type: 'ChangePlan',
            at,
            source: { id: `plan-${index}`, producer: 'billing' },
            plan,
            effectiveAt: new Date(effectiveMs).toISOString(),
          });
        });
        return result;
      }),
);
