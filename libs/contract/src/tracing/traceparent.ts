import { randomBytes } from 'node:crypto';

/**
 * The W3C Trace Context header (https://www.w3.org/TR/trace-context/), kept from whoever sent an
 * event to its decision: on HTTP, on the input message's Kafka headers, in the ledger event's
 * metadata, on the decision message's headers. An audit and debugging fact only: it decides
 * nothing, and a malformed one is dropped, never a reason to refuse an event.
 */
export const TRACEPARENT = 'traceparent';

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZEROS = /^0+$/;

/** The header's value if it is a valid version-00 traceparent, else undefined. */
export function validTraceparent(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const text = Buffer.isBuffer(first) ? first.toString('latin1') : first;
  if (typeof text !== 'string') return undefined;
  const parts = VERSION_00.exec(text);
  if (!parts || ALL_ZEROS.test(parts[1] as string) || ALL_ZEROS.test(parts[2] as string))
    return undefined;
  return text;
}

/** The trace id (32 hex digits) of a valid traceparent. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/**
 * A traceparent for work done on behalf of `parent`: its trace, a new span id, its flags; a new
 * trace (sampled) when there is no parent.
 */
export function childTraceparent(parent?: string): string {
  const spanId = randomBytes(8).toString('hex');
  if (parent === undefined) return `00-${randomBytes(16).toString('hex')}-${spanId}-01`;
  return `00-${traceIdOf(parent)}-${spanId}-${parent.slice(53, 55)}`;
}
