/**
 * What a user can observe of a decision, as one line of text per effect: what the credit model
 * states and what the production ledger's events say are compared in this form. Amounts,
 * reasons, which grants paid and when things lapsed are in it; the events' exact shapes are not
 * (the model would otherwise be a twin of the decider).
 */
export interface Take {
  readonly grantId: string;
  readonly credits: number;
  readonly value?: { readonly amount: number; readonly currency: string };
}

const money = (value: Take['value']) => (value ? ` ${value.amount}${value.currency}` : '');
const takes = (list: readonly Take[]) =>
  `[${list.map((take) => `${take.grantId}:${take.credits}${money(take.value)}`).join(' ')}]`;
const time = (atMs: number) => new Date(atMs).toISOString();

export const outcome = {
  charged: (generationId: string, charged: readonly Take[], held: readonly Take[]) =>
    `charged ${generationId} ${sum(charged)}${takes(charged)} held ${sum(held)}${takes(held)}`,
  refused: (
    generationId: string,
    reason: string,
    required: number,
    available: number,
    cap?: { cap: number; used: number },
  ) =>
    `refused ${generationId} ${reason} ${required}/${available}${cap ? ` cap ${cap.cap} used ${cap.used}` : ''}`,
  kept: (generationId: string, captured: readonly Take[], charged: readonly Take[]) =>
    `kept ${generationId} ${sum(captured)}${takes(captured)} +${sum(charged)}${takes(charged)}`,
  acceptRefused: (generationId: string, required: number, available: number) =>
    `accept-refused ${generationId} ${required}/${available}`,
  discarded: (generationId: string, released: number) => `discarded ${generationId} ${released}`,
  lapsed: (generationId: string, released: number, atMs: number) =>
    `lapsed ${generationId} ${released} @${time(atMs)}`,
  expired: (grantId: string, credits: number, value: Take['value'], atMs: number) =>
    `expired ${grantId} ${credits}${money(value)} @${time(atMs)}`,
  voided: (grantId: string, credits: number, value: Take['value'], pinned: number, atMs: number) =>
    `voided ${grantId} ${credits}${money(value)} pinned ${pinned} @${time(atMs)}`,
  granted: (grantId: string, kind: string, credits: number) =>
    `granted ${grantId} ${kind} ${credits}`,
  removed: (adjustmentId: string, removed: readonly Take[], shortfall: number) =>
    `removed ${adjustmentId} ${sum(removed)}${takes(removed)} shortfall ${shortfall}`,
  refunded: (
    generationId: string,
    returned: readonly Take[],
    regranted: readonly (Take & { expiresAtMs: number })[],
  ) =>
    `refunded ${generationId} ${sum(returned) + sum(regranted)} returned ${takes(returned)} regranted ${takes(regranted)}${regranted.map((grant) => ` until ${time(grant.expiresAtMs)}`).join('')}`,
  rolledOver: (fromGrantId: string, credits: number, value: Take['value'], untilMs: number) =>
    `rolled-over ${fromGrantId} ${credits}${money(value)} until ${time(untilMs)}`,
  planChanged: (plan: string, change: string, inForceMs: number, prorated: number) =>
    `plan ${plan} ${change} in force ${time(inForceMs)} prorated ${prorated}`,
  capSet: (memberId: string, credits: number) => `cap ${memberId} ${credits}`,
  thresholdSet: (credits: number) => `threshold ${credits}`,
  autoTopUpSet: (threshold: number, credits: number) => `auto-top-up-set ${threshold} ${credits}`,
  balanceLow: (available: number, threshold: number) => `low ${available}/${threshold}`,
  balanceRestored: (available: number, threshold: number) => `restored ${available}/${threshold}`,
  autoTopUpAsked: (credits: number, available: number, threshold: number) =>
    `auto-top-up ${credits} ${available}/${threshold}`,
  ignored: (reason: string) => `ignored ${reason}`,
  undecidable: () => 'undecidable',
};

/** Only a record: nothing moved, so nothing is signalled after it. */
export function isOnlyARecord(line: string): boolean {
  return line.startsWith('ignored ') || line.startsWith('accept-refused ');
}

function sum(list: readonly Take[]): number {
  return list.reduce((total, take) => total + take.credits, 0);
}

/** What can be read of an account between decisions. */
export interface Observed {
  readonly available: readonly number[];
  readonly held: number;
  /** Grants with credits left or pinned, by id: `id remaining/pinned deferred`. */
  readonly grants: readonly string[];
  readonly nextDueMs: number | null;
}

export function grantLine(grant: {
  grantId: string;
  remaining: number;
  pinned: number;
  deferred: number;
}): string {
  return `${grant.grantId} ${grant.remaining}/${grant.pinned} ${grant.deferred}`;
}
