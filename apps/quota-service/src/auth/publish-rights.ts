import type { ApiRole } from '@credits/config';
import { BILLING_EVENT_TYPES, EDITOR_EVENT_TYPES, USAGE_EVENT_TYPES } from '@credits/contract';

/**
 * Which wire event types each role may publish through POST /events: usage facts for the AI
 * workers, money facts for billing only (they mint credits), everything for ops, nothing for
 * finance (it reads). The same split as the Kafka topics and their ACLs.
 */
const PUBLISHABLE: Record<ApiRole, readonly string[]> = {
  worker: USAGE_EVENT_TYPES,
  billing: BILLING_EVENT_TYPES,
  finance: [],
  ops: EDITOR_EVENT_TYPES,
};

/**
 * Why `role` may not publish `type`, or null when it may. A type the contract does not know is
 * left to validation (a 400 naming it), so only known types are refused here.
 */
export function publishRefusal(role: ApiRole, type: unknown): string | null {
  if (typeof type !== 'string' || !(EDITOR_EVENT_TYPES as readonly string[]).includes(type))
    return null;
  if (PUBLISHABLE[role].includes(type)) return null;
  const allowed = (Object.keys(PUBLISHABLE) as ApiRole[]).filter((candidate) =>
    PUBLISHABLE[candidate].includes(type),
  );
  return `the ${role} role may not publish ${type} (only ${allowed.join(' and ')} may)`;
}
