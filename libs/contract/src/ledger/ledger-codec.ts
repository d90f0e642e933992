import { accountStream, type SourceEvent } from '@credits/domain/streams';
import { type CreditEvent, type CreditEventType } from '@credits/domain';
import type { EventData, JsonObject, RecordedEvent } from '@credits/event-store';
import { NameBasedUuids } from '../ids/name-based-uuid';
import { moneyProblem } from '../money/is-money';

// Fixed forever: stored event ids derived from it must stay the same across releases.
const ledgerEventIds = new NameBasedUuids('3c0f8f7e-5d0b-4f7a-a1d3-9a4c2e6b8d10');

/**
 * The stored form's version, written in every event's metadata. A change to a stored event's
 * fields takes a new number and an upcaster from the one before, so every stored event stays
 * readable; a reader meeting a number it has no upcaster for stops on that event, by name.
 */
export const LEDGER_SCHEMA = 1;

/** A stored ledger event this release cannot read: never folded as if it were something else. */
export class LedgerDecodeError extends Error {
  override readonly name = 'LedgerDecodeError';
  constructor(recorded: Pick<RecordedEvent, 'streamName' | 'revision'>, problem: string) {
    super(`${recorded.streamName} at revision ${recorded.revision}: ${problem}`);
  }
}

/**
 * What tells one ledger event from another at the same place: its type, cause and subject. Fixed
 * forever, like the namespace: the cause is spelled here rather than by the domain's in-memory
 * idempotency key, whose form may change.
 */
function identity(event: CreditEvent): string {
  const cause = event.source ? `${event.source.producer}\u241f${event.source.id}` : event.at;
  const subject =
    'generationId' in event ? event.generationId : 'grantId' in event ? event.grantId : '';
  return `${event.type}:${cause}:${subject ?? ''}`;
}

/**
 * A ledger event as the store keeps it. Its id depends on its place and what caused it: a retry
 * of the same decision is recognised by the store as the same append, and a different decision
 * at the same place is a conflict. (Two writers at one revision folded the same state, so the
 * same cause there means the same decision.)
 */
export function encodeLedgerEvent(
  accountId: string,
  revision: bigint,
  event: CreditEvent,
  /** The claims it makes in its stream (see the durable record), if any. */
  claims?: readonly string[],
): EventData {
  // Who asked, and the trace it came with, are the event's metadata, beside its account: what
  // the event says stays the facts.
  const { publishedBy, traceparent } = event.source ?? {};
  // The event itself when it carries no audit fields: stores serialize what they are given, and
  // neither side changes it.
  const data: JsonObject =
    publishedBy === undefined && traceparent === undefined
      ? (event as unknown as JsonObject)
      : { ...event, source: withoutAudit(event.source as SourceEvent) };
  const metadata: Record<string, unknown> = { accountId, schema: LEDGER_SCHEMA };
  if (publishedBy !== undefined) metadata.publishedBy = publishedBy;
  if (traceparent !== undefined) metadata.traceparent = traceparent;
  return {
    id: ledgerEventIds.of(`${accountStream(accountId)}@${revision}:${identity(event)}`),
    type: event.type,
    data,
    metadata,
    ...(claims?.length ? { claims } : {}),
  };
}

function withoutAudit(source: SourceEvent): SourceEvent {
  const { publishedBy: _publishedBy, traceparent: _traceparent, ...rest } = source;
  return rest;
}

type FieldKind =
  | 'string'
  | 'number'
  | 'instant'
  | 'allocations'
  | 'refundGrants'
  | 'string?'
  | 'string|null'
  | 'instant|null'
  | 'money?';

const SHARED = { at: 'instant' } as const;
const ALLOCATION_MOVE: Record<string, FieldKind> = {
  generationId: 'string',
  released: 'number',
  releasedTo: 'allocations',
};

/** The fields every stored event type must carry (others may ride along), by kind. */
const SHAPES: Record<CreditEventType, Record<string, FieldKind>> = {
  CreditsGranted: {
    grantId: 'string',
    kind: 'string',
    credits: 'number',
    usableFrom: 'instant',
    expiresAt: 'instant|null',
    plan: 'string?',
    price: 'money?',
  },
  GenerationCharged: {
    generationId: 'string',
    editType: 'string',
    resolution: 'string|null',
    priceVersion: 'string',
    generateCost: 'number',
    acceptCost: 'number',
    charged: 'number',
    chargedFrom: 'allocations',
    held: 'number',
    heldFrom: 'allocations',
    holdExpiresAt: 'instant',
    availableAfter: 'number',
  },
  GenerationRefused: {
    generationId: 'string',
    editType: 'string',
    resolution: 'string|null',
    priceVersion: 'string',
    required: 'number',
    available: 'number',
    reason: 'string',
  },
  EditKept: {
    generationId: 'string',
    captured: 'number',
    capturedFrom: 'allocations',
    charged: 'number',
    chargedFrom: 'allocations',
  },
  AcceptRefused: {
    generationId: 'string',
    required: 'number',
    available: 'number',
    reason: 'string',
  },
  EditDiscarded: ALLOCATION_MOVE,
  HoldLapsed: ALLOCATION_MOVE,
  CreditsExpired: { grantId: 'string', credits: 'number', value: 'money?' },
  CreditsVoided: {
    grantId: 'string',
    credits: 'number',
    value: 'money?',
    stillPinned: 'number',
    reason: 'string?',
  },
  GenerationRefunded: {
    refundId: 'string',
    generationId: 'string',
    reason: 'string',
    credits: 'number',
    returnedTo: 'allocations',
    refundGrants: 'refundGrants',
  },
  CreditsAdjusted: {
    adjustmentId: 'string',
    reason: 'string',
    requested: 'number',
    grantId: 'string|null',
    removed: 'number',
    removedFrom: 'allocations',
    shortfall: 'number',
  },
  CreditsRolledOver: {
    grantId: 'string',
    fromGrantId: 'string',
    credits: 'number',
    value: 'money?',
    usableFrom: 'instant',
    expiresAt: 'instant',
    plan: 'string',
  },
  PlanChanged: {
    plan: 'string',
    previousPlan: 'string|null',
    change: 'string',
    effectiveAt: 'instant',
    takesEffectAt: 'instant',
    proratedCredits: 'number',
  },
  MemberCapSet: { memberId: 'string', credits: 'number' },
  BalanceThresholdSet: { credits: 'number' },
  AutoTopUpConfigured: { threshold: 'number', credits: 'number', price: 'money?' },
  BalanceLow: { available: 'number', threshold: 'number' },
  BalanceRestored: { available: 'number', threshold: 'number' },
  AutoTopUpRequested: {
    requestId: 'string',
    credits: 'number',
    price: 'money?',
    available: 'number',
    threshold: 'number',
  },
  EventIgnored: { command: 'string', reason: 'string', generationId: 'string?' },
};

const isInstant = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isMoneyOrAbsent = (value: unknown) => value === undefined || moneyProblem('', value) === null;
/** A list of objects with a string `grantId`, integer `credits` and optional money in `money`. */
const grantCredits = (money: string, more: (item: Record<string, unknown>) => boolean) => {
  return (value: unknown) =>
    Array.isArray(value) &&
    value.every(
      (item: unknown) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as { grantId?: unknown }).grantId === 'string' &&
        Number.isSafeInteger((item as { credits?: unknown }).credits) &&
        isMoneyOrAbsent((item as Record<string, unknown>)[money]) &&
        more(item as Record<string, unknown>),
    );
};
const isAllocations = grantCredits('value', () => true);
const isRefundGrants = grantCredits('price', (item) => isInstant(item['expiresAt']));

const CHECKS: Record<FieldKind, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  number: (value) => Number.isSafeInteger(value),
  instant: isInstant,
  allocations: isAllocations,
  refundGrants: isRefundGrants,
  'string?': (value) => value === undefined || typeof value === 'string',
  'string|null': (value) => value === null || typeof value === 'string',
  'instant|null': (value) => value === null || isInstant(value),
  'money?': isMoneyOrAbsent,
};

/** Stored forms of earlier schemas, brought to the current one. Schema 1 is the current. */
const UPCASTERS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {
  1: (data) => data,
};

/**
 * A stored ledger event, read back: its schema upcast to the current one and its shape checked
 * (the type the store names, every field the type needs, of the right kind). Anything else is a
 * `LedgerDecodeError` naming the stream and revision.
 */
export function decodeLedgerEvent(recorded: RecordedEvent): CreditEvent {
  const schema = recorded.metadata?.['schema'] ?? 1;
  const upcast = typeof schema === 'number' ? UPCASTERS[schema] : undefined;
  if (!upcast)
    throw new LedgerDecodeError(
      recorded,
      `stored with schema ${JSON.stringify(schema)}, which this release cannot read (it reads schemas ${Object.keys(UPCASTERS).join(', ')})`,
    );
  const data = upcast(recorded.data as Record<string, unknown>);
  const type = data['type'];
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type) || type !== recorded.type)
    throw new LedgerDecodeError(
      recorded,
      `a ${recorded.type} event whose data names type ${JSON.stringify(type)}`,
    );
  const shape: Record<string, FieldKind> = { ...SHARED, ...SHAPES[type as CreditEventType] };
  const wrong = Object.entries(shape)
    .filter(([field, kind]) => !CHECKS[kind](data[field]))
    .map(([field, kind]) => `${field} (${kind}): ${JSON.stringify(data[field]) ?? 'missing'}`);
  const source = data['source'];
  if (
    source !== undefined &&
    (typeof source !== 'object' ||
      source === null ||
      typeof (source as { id?: unknown }).id !== 'string' ||
      typeof (source as { producer?: unknown }).producer !== 'string')
  )
    wrong.push(`source: ${JSON.stringify(source)}`);
  const audit: { publishedBy?: string; traceparent?: string } = {};
  for (const field of ['publishedBy', 'traceparent'] as const) {
    const value = recorded.metadata?.[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || source === undefined)
      wrong.push(`metadata.${field}: ${JSON.stringify(value)}`);
    else audit[field] = value;
  }
  if (wrong.length > 0)
    throw new LedgerDecodeError(recorded, `a ${type} event with bad fields: ${wrong.join('; ')}`);
  // Checked field by field above: the one place a stored event becomes a domain event.
  if (Object.keys(audit).length === 0) return data as unknown as CreditEvent;
  return { ...data, source: { ...(source as SourceEvent), ...audit } } as unknown as CreditEvent;
}
