import {
  BILLING_EVENT_TYPES,
  commandOf,
  inputTopicOf,
  parseInputEventMessage,
  type InputEventType,
  type InputTopic,
  type ParseResult,
} from '@credits/contract';

const contractExample = {
  specversion: '1.0',
  id: '0b9f4c1e-7c35-4d39-9d53-2f1c9a6b2f10',
  source: 'editor',
  type: 'GenerationRequested',
  time: '2026-11-25T10:00:00Z',
  subject: 'acct-42',
  data: { generationId: 'gen-1', editType: 'virtual_staging', resolution: '4K' },
};

/** The topic a value's type belongs on, unless it has no known type: then editor-events. */
function topicFor(value: unknown): InputTopic {
  const type = (value as { type?: unknown } | null)?.type;
  return BILLING_EVENT_TYPES.includes(type as never)
    ? inputTopicOf(type as InputEventType)
    : 'editorEvents';
}

function parse(
  value: unknown,
  key: string | null = 'acct-42',
  topic: InputTopic = topicFor(value),
): ParseResult {
  const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return parseInputEventMessage(key === null ? null : Buffer.from(key), bytes, topic);
}

const rejectionOf = (result: ParseResult) => ('rejection' in result ? result.rejection : null);

describe('editor-events messages against the contract', () => {
  it('given the contract example, then it is valid and becomes a RequestGeneration with its source', () => {
    const result = parse(contractExample);
    expect(rejectionOf(result)).toBeNull();
    if (!('event' in result)) return;
    expect(commandOf(result.event, { topic: 'editor-events', partition: 2, offset: '17' })).toEqual(
      {
        type: 'RequestGeneration',
        at: '2026-11-25T10:00:00Z',
        source: {
          id: contractExample.id,
          producer: 'editor',
          kafka: { topic: 'editor-events', partition: 2, offset: '17' },
        },
        generationId: 'gen-1',
        editType: 'virtual_staging',
        resolution: '4K',
      },
    );
  });

  it.each([
    [
      'AllowanceGranted',
      {
        plan: 'pro',
        credits: 100,
        periodStart: '2026-11-01T00:00:00Z',
        periodEnd: '2026-12-01T00:00:00Z',
      },
    ],
    ['TopUpPurchased', { purchaseId: 'p-1', credits: 50 }],
    ['TopUpPurchased', { purchaseId: 'p-2', credits: 50, expiresAt: '2027-01-01T00:00:00Z' }],
    [
      'TopUpPurchased',
      { purchaseId: 'p-3', credits: 50, price: { amount: 4_900, currency: 'EUR' } },
    ],
    ['TopUpPurchased', { purchaseId: 'p-4', credits: 50, price: { amount: 0, currency: 'JPY' } }],
    ['CreditsAdjusted', { adjustmentId: 'adj-1', credits: -5, reason: 'goodwill reversal' }],
    ['EditAccepted', { generationId: 'gen-1' }],
    ['EditRejected', { generationId: 'gen-1' }],
    ['GenerationRequested', { generationId: 'gen-2', editType: 'crop' }],
    ['ChargeRefunded', { refundId: 'r-1', generationId: 'gen-1', reason: 'corrupt result' }],
    ['GrantVoided', { grantId: 'p-1', reason: 'chargeback' }],
  ])('given a valid %s, then it is accepted', (type, data) => {
    expect(rejectionOf(parse({ ...contractExample, type, data }))).toBeNull();
  });

  it('given CloudEvents extension attributes on the envelope, then they are allowed', () => {
    expect(rejectionOf(parse({ ...contractExample, traceparent: '00-abc-def-01' }))).toBeNull();
  });

  it.each([
    ['not JSON', '{"specversion":', 'invalid_json', /JSON/],
    [
      'an unknown type',
      { ...contractExample, type: 'GenerationTeleported' },
      'unknown_type',
      /GenerationTeleported/,
    ],
    ['no id', { ...contractExample, id: undefined }, 'invalid_event', /^id /],
    [
      'a time without a zone',
      { ...contractExample, time: '2026-11-25 10:00' },
      'invalid_time',
      /^time must be an RFC 3339 date-time naming a real instant/,
    ],
    [
      'a leap second',
      { ...contractExample, time: '2026-06-30T23:59:60Z' },
      'invalid_time',
      /^time must be/,
    ],
    [
      '30 February',
      { ...contractExample, time: '2026-02-30T10:00:00Z' },
      'invalid_time',
      /^time must be/,
    ],
    [
      'an allowance period that ends on 31 April',
      {
        ...contractExample,
        type: 'AllowanceGranted',
        data: {
          plan: 'pro',
          credits: 100,
          periodStart: '2026-04-01T00:00:00Z',
          periodEnd: '2026-04-31T00:00:00Z',
        },
      },
      'invalid_time',
      /^data\.periodEnd must be/,
    ],
    [
      'a top-up expiring at hour 24',
      {
        ...contractExample,
        type: 'TopUpPurchased',
        data: { purchaseId: 'p', credits: 5, expiresAt: '2026-12-01T24:00:00Z' },
      },
      'invalid_time',
      /^data\.expiresAt must be/,
    ],
    [
      'a bad time and a bad subject (not only the time)',
      { ...contractExample, time: 'yesterday', subject: 'acct 42' },
      'invalid_event',
      /time must be[\s\S]*subject must be|subject must be[\s\S]*time must be/,
    ],
    [
      'an allowance period that ends before it starts',
      {
        ...contractExample,
        type: 'AllowanceGranted',
        data: {
          plan: 'pro',
          credits: 100,
          periodStart: '2026-12-01T00:00:00Z',
          periodEnd: '2026-11-01T00:00:00Z',
        },
      },
      'invalid_event',
      /data\.periodEnd must be after data\.periodStart/,
    ],
    [
      'a subject with a space',
      { ...contractExample, subject: 'acct 42' },
      'invalid_event',
      /subject must be/,
    ],
    [
      'an AI edit without a resolution',
      { ...contractExample, data: { generationId: 'g', editType: 'twilight' } },
      'invalid_event',
      /data\.resolution/,
    ],
    [
      'a resolution of 8K',
      { ...contractExample, data: { ...contractExample.data, resolution: '8K' } },
      'invalid_event',
      /data\.resolution/,
    ],
    [
      'credits that are not a whole number',
      { ...contractExample, type: 'TopUpPurchased', data: { purchaseId: 'p', credits: 2.5 } },
      'invalid_event',
      /data\.credits must be an integer/,
    ],
    [
      'an adjustment of zero',
      {
        ...contractExample,
        type: 'CreditsAdjusted',
        data: { adjustmentId: 'a', credits: 0, reason: 'r' },
      },
      'invalid_event',
      /data\.credits/,
    ],
    [
      'a field the contract does not have in data',
      { ...contractExample, data: { ...contractExample.data, price: 0 } },
      'invalid_event',
      /data\.price/,
    ],
    ['an array', [contractExample], 'invalid_event', /JSON object/],
  ])(
    'given %s, then it is rejected with a reason naming the problem',
    (_label, value, reason, detail) => {
      const rejection = rejectionOf(parse(value));
      expect(rejection?.reason).toBe(reason);
      expect(rejection?.details.join('\n')).toMatch(detail);
    },
  );

  it.each([
    [
      'a negative amount',
      { amount: -1, currency: 'EUR' },
      /data\.price\.amount must be a whole number/,
    ],
    ['a fractional amount', { amount: 49.5, currency: 'EUR' }, /data\.price\.amount .*not 49\.5/],
    ['an amount as text', { amount: '4900', currency: 'EUR' }, /data\.price\.amount/],
    [
      'an unknown currency',
      { amount: 4_900, currency: 'EURO' },
      /data\.price\.currency must be an ISO 4217/,
    ],
    ['a lower-case currency', { amount: 4_900, currency: 'eur' }, /data\.price\.currency/],
    ['the no-currency code', { amount: 4_900, currency: 'XXX' }, /data\.price\.currency/],
    ['no currency', { amount: 4_900 }, /data\.price\.currency/],
    [
      'a field a price does not take',
      { amount: 1, currency: 'EUR', tax: 2 },
      /data\.price has fields it does not take: tax/,
    ],
    ['a number', 4_900, /data\.price must be an object \{amount, currency\}/],
  ])(
    'given a top-up priced with %s, then it is refused naming the field',
    (_label, price, detail) => {
      const topUp = {
        ...contractExample,
        type: 'TopUpPurchased',
        data: { purchaseId: 'p', credits: 9, price },
      };
      const rejection = rejectionOf(parse(topUp));
      expect(rejection?.reason).toBe('invalid_event');
      expect(rejection?.details).toEqual([expect.stringMatching(detail)]);
    },
  );

  it('given a price on an adjustment, then it is refused: adjustments are free', () => {
    const adjusted = {
      ...contractExample,
      type: 'CreditsAdjusted',
      data: { adjustmentId: 'a', credits: 5, reason: 'r', price: { amount: 100, currency: 'EUR' } },
    };
    expect(rejectionOf(parse(adjusted))?.details).toEqual([
      'data.price: property price should not exist',
    ]);
  });

  it('given a refund without a generationId, then it is refused naming the field', () => {
    const refund = {
      ...contractExample,
      type: 'ChargeRefunded',
      data: { refundId: 'r-1', reason: 'corrupt result' },
    };
    expect(rejectionOf(parse(refund))).toMatchObject({
      reason: 'invalid_event',
      details: [expect.stringMatching(/^data\.generationId must be a string of 1 to 128/)],
    });
  });

  it.each([
    ['p-1', 'top-up:p-1'],
    ['top-up:p-1', 'top-up:p-1'],
    ['allowance:pro:2026-11-01T00:00:00Z', 'allowance:pro:2026-11-01T00:00:00Z'],
  ])('given a void of %s, then it voids the ledger grant %s', (grantId, voided) => {
    const parsed = parse({
      ...contractExample,
      type: 'GrantVoided',
      data: { grantId, reason: 'chargeback' },
    });
    expect('event' in parsed && commandOf(parsed.event)).toMatchObject({
      type: 'VoidGrant',
      grantId: voided,
    });
  });

  it('given a priced grant, then the command carries its price as plain data; without one, none', () => {
    const priced = parse({
      ...contractExample,
      type: 'TopUpPurchased',
      data: { purchaseId: 'p', credits: 9, price: { amount: 4_900, currency: 'EUR' } },
    });
    expect('event' in priced && commandOf(priced.event)).toMatchObject({
      type: 'PurchaseTopUp',
      price: { amount: 4_900, currency: 'EUR' },
    });
    const free = parse({
      ...contractExample,
      type: 'TopUpPurchased',
      data: { purchaseId: 'p', credits: 9 },
    });
    expect('event' in free && 'price' in commandOf(free.event)).toBe(false);
  });

  it('given an optional field sent as null, then the command leaves it out as if it were omitted', () => {
    const generation = parse({
      ...contractExample,
      publishedby: null,
      data: { ...contractExample.data, memberId: null },
    });
    expect('event' in generation && commandOf(generation.event)).toEqual({
      type: 'RequestGeneration',
      at: contractExample.time,
      source: { id: contractExample.id, producer: contractExample.source },
      generationId: contractExample.data.generationId,
      editType: contractExample.data.editType,
      resolution: contractExample.data.resolution,
    });
    const topUp = parse({
      ...contractExample,
      type: 'TopUpPurchased',
      data: { purchaseId: 'p', credits: 9, expiresAt: null, price: null },
    });
    const command = 'event' in topUp ? commandOf(topUp.event) : {};
    expect(['expiresAt' in command, 'price' in command]).toEqual([false, false]);
  });

  it('given a billing type on editor-events, or a usage type on billing-events, then it is on the wrong topic', () => {
    const topUp = {
      ...contractExample,
      type: 'TopUpPurchased',
      data: { purchaseId: 'p', credits: 9 },
    };
    expect(rejectionOf(parse(topUp, 'acct-42', 'editorEvents'))).toEqual({
      reason: 'wrong_topic',
      details: ['TopUpPurchased belongs on billing-events, not editor-events'],
    });
    expect(rejectionOf(parse(contractExample, 'acct-42', 'billingEvents'))).toEqual({
      reason: 'wrong_topic',
      details: ['GenerationRequested belongs on editor-events, not billing-events'],
    });
  });

  it('given publishedby, then a short token is kept on the command and anything else is refused', () => {
    const result = parse({ ...contractExample, publishedby: 'worker-7' });
    const command = 'event' in result ? commandOf(result.event) : null;
    expect(command && 'source' in command && command.source.publishedBy).toBe('worker-7');
    for (const publishedby of ['', 'x'.repeat(65), 'a b', 'key/../1', 42])
      expect(rejectionOf(parse({ ...contractExample, publishedby }))).toEqual({
        reason: 'invalid_event',
        details: ['publishedby must be 1-64 characters of A-Z a-z 0-9 . _ : -'],
      });
  });

  it('given a key that is not the subject, or no key, then it is a key mismatch', () => {
    expect(rejectionOf(parse(contractExample, 'acct-43'))?.reason).toBe('key_mismatch');
    expect(rejectionOf(parse(contractExample, null))?.reason).toBe('key_mismatch');
  });

  it('given a value over 64 KiB, then it is rejected as oversize before it is parsed', () => {
    const big = {
      ...contractExample,
      data: { ...contractExample.data, editType: 'x'.repeat(70_000) },
    };
    expect(rejectionOf(parse(big))?.reason).toBe('oversize');
  });

  it('given several bad fields, then each is named', () => {
    const rejection = rejectionOf(
      parse({ ...contractExample, specversion: '0.3', subject: '', data: { editType: 5 } }),
    );
    const details = rejection?.details.join('\n') ?? '';
    for (const field of ['specversion', 'subject', 'data.generationId', 'data.editType'])
      expect(details).toContain(field);
  });
});
