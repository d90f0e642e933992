import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { parse } from 'yaml';
import asyncapi300 from '@asyncapi/specs/schemas/3.0.0-without-$id.json';
import { realisticMonth } from '../../../apps/credits-cli/src/demo/realistic-month';
import {
  decisionEventOf,
  INPUT_TOPIC_NAMES,
  parseInputEventMessage,
  type InputTopic,
} from '../src';

/**
 * docs/asyncapi.yaml against the service's own checks (class-validator, parseInputEventMessage):
 * over good messages and generated bad ones, the JSON Schemas and the contract accept and refuse
 * the same. What the schemas cannot state is named in the document and left out here.
 */
const DOCUMENT = path.resolve(__dirname, '../../../docs/asyncapi.yaml');
const document = parse(readFileSync(DOCUMENT, 'utf8')) as {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
};

const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv, { mode: 'full' });
ajv.addSchema(document as object, 'asyncapi');

/** The payload validator of each message a channel carries, by the event type it names. */
function channelValidators(address: string): Map<string, ValidateFunction> {
  const channel = Object.values(document.channels).find((c) => c.address === address);
  if (!channel) throw new Error(`docs/asyncapi.yaml has no channel ${address}`);
  return new Map(
    Object.entries(channel.messages).map(([type, { $ref }]) => [
      type,
      ajv.getSchema(`asyncapi${$ref}/payload`) as ValidateFunction,
    ]),
  );
}

const INPUT: Record<InputTopic, Map<string, ValidateFunction>> = {
  editorEvents: channelValidators(INPUT_TOPIC_NAMES.editorEvents),
  billingEvents: channelValidators(INPUT_TOPIC_NAMES.billingEvents),
};

const schemaAccepts = (topic: InputTopic, message: unknown): boolean => {
  const type = (message as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? INPUT[topic].get(type) : undefined;
  return validate !== undefined && validate(message) === true;
};

/** The contract's verdict, and whether only the rule no schema states refused it. */
const contract = (
  topic: InputTopic,
  message: unknown,
): { accepts: boolean; crossField: boolean } => {
  const subject = (message as { subject?: unknown } | null)?.subject;
  const result = parseInputEventMessage(
    typeof subject === 'string' ? Buffer.from(subject) : null,
    Buffer.from(JSON.stringify(message)),
    topic,
  );
  if (!('rejection' in result)) return { accepts: true, crossField: false };
  const { details } = result.rejection;
  return {
    accepts: false,
    crossField:
      details.length === 1 && details[0] === 'data.periodEnd must be after data.periodStart',
  };
};

const envelope = (type: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: 'evt-1',
  source: 'billing',
  type,
  time: '2026-11-25T10:00:00Z',
  subject: 'agency-42',
  data,
});
const price = { amount: 4900, currency: 'EUR' };

/** One good message of every input type, with its optional fields, and the month's events. */
const GOOD: { topic: InputTopic; message: Record<string, unknown> }[] = [
  ...[
    envelope('GenerationRequested', {
      generationId: 'gen-1',
      editType: 'twilight',
      resolution: '4K',
      memberId: 'agent.7',
    }),
    envelope('GenerationRequested', { generationId: 'gen-2', editType: 'crop' }),
    envelope('EditAccepted', { generationId: 'gen-1' }),
    envelope('EditRejected', { generationId: 'gen-1' }),
  ].map((message) => ({ topic: 'editorEvents' as const, message })),
  ...[
    envelope('AllowanceGranted', {
      plan: 'pro',
      credits: 300,
      periodStart: '2026-11-01T00:00:00Z',
      periodEnd: '2026-12-01T00:00:00+01:00',
      price,
    }),
    envelope('TopUpPurchased', {
      purchaseId: 'p-1',
      credits: 50,
      expiresAt: '2027-11-25T10:00:00.123456789z',
      price,
    }),
    envelope('CreditsAdjusted', { adjustmentId: 'a-1', credits: -5, reason: 'goodwill' }),
    envelope('ChargeRefunded', { refundId: 'r-1', generationId: 'gen-1', reason: 'failed' }),
    envelope('GrantVoided', { grantId: 'top-up:p-1', reason: 'chargeback' }),
    envelope('PlanChanged', { plan: 'team', effectiveAt: '2026-12-01T00:00:00Z' }),
    envelope('MemberCapSet', { memberId: 'agent.7', credits: 0 }),
    envelope('BalanceThresholdSet', { credits: 20 }),
    envelope('AutoTopUpConfigured', { threshold: 10, credits: 100, price }),
  ].map((message) => ({ topic: 'billingEvents' as const, message })),
];
const MONTH = realisticMonth({ accounts: 20, events: 400, seed: 11 }).map((event) => ({
  topic: (INPUT.editorEvents.has(event.type) ? 'editorEvents' : 'billingEvents') as InputTopic,
  message: event as unknown as Record<string, unknown>,
}));

/** Strings as any producer might send them, without the presentation selectors (see above). */
const anyText = fc
  .string({ unit: 'binary', maxLength: 140 })
  .map((text) => text.replace(/[\uFE0E\uFE0F]/g, 'x'));
const instants = fc.oneof(
  fc
    .date({ min: new Date(0), max: new Date(253402300799000), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-02-29T10:00:00Z',
    '2028-02-29T10:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T23:59:60Z',
    '2026-11-25 10:00:00Z',
    '2026-11-25T10:00:00',
    '2026-11-25T10:00:00+24:00',
    '2026-11-25T10:00:00.1234567890Z',
    '2026-11-25t10:00:00.5-05:30',
    '2026-13-01T00:00:00Z',
  ),
);
const values: fc.Arbitrary<unknown> = fc.oneof(
  anyText,
  instants,
  fc.constantFrom('', '1K', '2K', '4K', '8K', 'crop', 'rotate', 'twilight', '1.0', 'agency-42'),
  fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
  fc.constantFrom(0, 1, -1, 1_000_000_000, 1_000_000_001, 1e12, 1e12 + 1, 0.5, -0),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.record({
    amount: fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.constant(0.5), anyText),
    currency: fc.oneof(fc.constantFrom('EUR', 'USD', 'XXX', 'XTS', 'eur', 'ZZZ'), anyText),
  }),
  fc.dictionary(fc.constantFrom('amount', 'currency', 'extra'), fc.integer(), { maxKeys: 3 }),
);
const fieldNames = fc.constantFrom(
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'data',
  'publishedby',
  'extension',
);
const dataFieldNames = fc.constantFrom(
  'generationId',
  'editType',
  'resolution',
  'memberId',
  'plan',
  'credits',
  'periodStart',
  'periodEnd',
  'price',
  'purchaseId',
  'expiresAt',
  'adjustmentId',
  'reason',
  'refundId',
  'grantId',
  'effectiveAt',
  'threshold',
  'unknownField',
);

type Mutation = (message: Record<string, unknown>) => Record<string, unknown>;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fieldNames.map(
    (field): Mutation =>
      ({ [field]: _gone, ...rest }) =>
        rest,
  ),
  fc.tuple(fieldNames, values).map(([field, value]): Mutation => (m) => ({ ...m, [field]: value })),
  dataFieldNames.map((field): Mutation => (m) => {
    if (!isRecord(m.data)) return m;
    const { [field]: _gone, ...rest } = m.data;
    return { ...m, data: rest };
  }),
  fc.tuple(dataFieldNames, values).map(
    ([field, value]): Mutation =>
      (m) =>
        isRecord(m.data) ? { ...m, data: { ...m.data, [field]: value } } : m,
  ),
  fc
    .constantFrom(...INPUT.editorEvents.keys(), ...INPUT.billingEvents.keys(), 'Unknown')
    .map((type): Mutation => (m) => ({ ...m, type })),
);

describe('docs/asyncapi.yaml', () => {
  it('given the AsyncAPI 3.0.0 schema, then the document is valid', () => {
    const specification = new Ajv({ strict: false, allErrors: true });
    addFormats(specification);
    const validate = specification.compile(asyncapi300);
    expect(validate(document) ? [] : validate.errors).toEqual([]);
  });

  it('given good messages of every input type, then the schema and the contract both accept them on their own topic only', () => {
    for (const { topic, message } of [...GOOD, ...MONTH]) {
      const other: InputTopic = topic === 'editorEvents' ? 'billingEvents' : 'editorEvents';
      expect({ type: message.type, schema: schemaAccepts(topic, message) }).toEqual({
        type: message.type,
        schema: true,
      });
      expect(contract(topic, message).accepts).toBe(true);
      expect(schemaAccepts(other, message)).toBe(false);
      expect(contract(other, message).accepts).toBe(false);
    }
  });

  it('given good messages changed at random (fields removed, set to odd values, types swapped), then the schema and the contract give the same verdict', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GOOD),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        ({ topic, message }, mutations) => {
          // As a consumer reads it: the bytes a producer would send, decoded (no NaN, no -0,
          // no lone surrogates survive that), for both checks alike.
          const mutated: unknown = JSON.parse(
            Buffer.from(
              JSON.stringify(mutations.reduce((m, mutate) => mutate(m), message)),
            ).toString('utf8'),
          );
          const verdict = contract(topic, mutated);
          const schema = schemaAccepts(topic, mutated);
          if (verdict.crossField) expect(schema).toBe(true);
          else expect({ mutated, schema }).toEqual({ mutated, schema: verdict.accepts });
        },
      ),
      { numRuns: 4_000, seed: 26 },
    );
  });

  it('given decisions the projector publishes, then the credit-decisions schemas accept them', () => {
    const decisions = channelValidators('credit-decisions');
    const base = { at: '2026-11-25T10:00:00.000Z', generationId: 'gen-1' } as const;
    for (const event of [
      decisionEventOf('agency-42', {
        ...base,
        type: 'GenerationCharged',
        charged: 2,
        held: 4,
        availableAfter: 10,
        memberId: 'agent.7',
      } as never),
      decisionEventOf('agency-42', {
        ...base,
        type: 'GenerationRefused',
        required: 6,
        available: 1,
        reason: 'insufficient_credits',
      } as never),
    ]) {
      const validate = decisions.get(event.type) as ValidateFunction;
      expect(validate(event) ? [] : validate.errors).toEqual([]);
    }
  });
});
