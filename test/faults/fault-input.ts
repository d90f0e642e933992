import fc from 'fast-check';
import {
  asMessages,
  realisticMonth,
  seededRandom,
  type RawMessage,
  type WireEvent,
} from '../harness/editor-events';
import { oracleLedgers } from '../harness/ledger-oracle';

/** What a fault run publishes, and what the oracle expects of it. */
export interface FaultInput {
  readonly valid: readonly WireEvent[];
  readonly accounts: ReadonlySet<string>;
  readonly malformed: readonly RawMessage[];
  /** Valid messages one to three times each, with the malformed ones interleaved. */
  readonly stream: readonly RawMessage[];
  /** How many ledger events the oracle's fold of the unique input holds. */
  readonly ledgerEvents: number;
  readonly description: string;
}

/** Mutations of valid messages, as fast-check makes them: broken JSON, wrong fields, wrong keys. */
function malformedMessages(valid: readonly WireEvent[], count: number): RawMessage[] {
  const mutation = fc.oneof(
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify(event).slice(0, -7),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify({ ...event, type: 'GenerationTeleported', id: `m-${event.id}` }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify({ ...event, id: `m-${event.id}`, time: 'yesterday' }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: event.subject,
      value: JSON.stringify({
        ...event,
        id: `m-${event.id}`,
        data: { ...event.data, credits: -1, generationId: 42 },
      }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({
      key: `not-${event.subject}`,
      value: JSON.stringify({ ...event, id: `m-${event.id}` }),
    })),
    fc.constant((event: WireEvent): RawMessage => ({ key: event.subject, value: null })),
  );
  return fc
    .sample(fc.tuple(fc.constantFrom(...valid), mutation), { numRuns: count, seed: 17 })
    .map(([event, mutate]) => mutate(event));
}

/** Each valid message one to three times, repeats right after or a little later, as retries make them. */
function withRedeliveries(messages: readonly RawMessage[], random: () => number): RawMessage[] {
  const out: RawMessage[] = [];
  const later: RawMessage[] = [];
  for (const message of messages) {
    out.push(message);
    const extra = Math.floor(random() * 3);
    for (let copy = 0; copy < extra; copy += 1) (random() < 0.5 ? out : later).push(message);
    if (later.length > 0 && random() < 0.2) out.push(later.shift() as RawMessage);
  }
  return [...out, ...later];
}

/**
 * A realistic month of `events` editor events for accounts under `prefix` (one account per
 * hundred events), delivered one to three times each, with one malformed message in fifty.
 */
export function faultInput(prefix: string, events: number, seed: number): FaultInput {
  const random = seededRandom(seed);
  const valid = realisticMonth({
    accounts: Math.max(20, Math.round(events / 100)),
    events,
    seed: seed + 1,
    accountPrefix: `${prefix}acct`,
  });
  const accounts = new Set(valid.map((event) => event.subject));
  const malformed = malformedMessages(valid, Math.max(50, Math.round(events / 50)));
  const delivered = withRedeliveries(asMessages(valid), random);
  const stream: RawMessage[] = [];
  let next = 0;
  for (const message of delivered) {
    stream.push(message);
    if (next < malformed.length && random() < malformed.length / delivered.length + 0.01)
      stream.push(malformed[next++] as RawMessage);
  }
  stream.push(...malformed.slice(next));
  return {
    valid,
    accounts,
    malformed,
    stream,
    ledgerEvents: [...oracleLedgers(valid).values()].flat().length,
    description:
      `${valid.length} unique valid events over ${accounts.size} accounts, delivered as ` +
      `${delivered.length} messages (1-3 times each), with ${malformed.length} malformed messages interleaved`,
  };
}
