import type { AccountTerms, AllowancePeriod, MemberCharge, MemberUsage } from './account-terms';

/**
 * The start of the allowance period that holds `atMs`: the latest allowance's period, repeated
 * at its length before and after it (so caps start again on time when the next allowance comes
 * late); with no allowance, the UTC calendar month.
 */
export function periodStartAt(period: AllowancePeriod | null, atMs: number): number {
  if (period === null || period.endMs <= period.startMs) {
    const day = new Date(atMs);
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
  }
  const lengthMs = period.endMs - period.startMs;
  return period.startMs + Math.floor((atMs - period.startMs) / lengthMs) * lengthMs;
}

/**
 * The period an agent's generation at `atMs` counts in. Use only moves forward: a generation
 * stamped before the agent's current period counts in the current one, so a late event can never
 * let an agent past their cap.
 */
export function memberPeriodAt(terms: AccountTerms, memberId: string, atMs: number): number {
  const start = periodStartAt(terms.period, atMs);
  const usage = terms.members.get(memberId);
  return usage !== undefined && usage.periodStartMs > start ? usage.periodStartMs : start;
}

/** What the agent has used in the period holding `atMs`. */
export function memberUsedAt(terms: AccountTerms, memberId: string, atMs: number): number {
  const usage = terms.members.get(memberId);
  if (usage === undefined) return 0;
  return usage.periodStartMs === memberPeriodAt(terms, memberId, atMs) ? usage.used : 0;
}

/**
 * Why a generation that needs `required` credits would take the agent past their cap: the cap
 * and what they used, or null when it would not (no cap, or within it). A free edit (0 credits)
 * passes any cap the agent has not already passed.
 */
export function memberCapReached(
  terms: AccountTerms,
  memberId: string | undefined,
  required: number,
  atMs: number,
): { readonly cap: number; readonly used: number } | null {
  if (memberId === undefined) return null;
  const cap = terms.members.get(memberId)?.cap;
  if (cap === undefined || cap === null) return null;
  const used = memberUsedAt(terms, memberId, atMs);
  return used + required > cap ? { cap, used } : null;
}

/** Capped agents: a cap for one more than the bound is ignored (`too_many_members`). */
export function cappedMembers(terms: AccountTerms): number {
  let capped = 0;
  for (const usage of terms.members.values()) if (usage.cap !== null) capped += 1;
  return capped;
}

/**
 * The terms with `credits` more (or fewer, when negative) used by the agent in `periodStartMs`.
 * A period newer than the agent's starts their use again; a change to an older period changes
 * nothing (it counted in a period that has ended). An agent with no cap is remembered only within
 * `maxMembers` entries: past it, agents of ended periods with no cap are forgotten first, and
 * then an agent with no cap is not remembered (their use is pooled, and the usage read model
 * still counts it).
 */
export function withMemberUse(
  terms: AccountTerms,
  charge: MemberCharge,
  credits: number,
  maxMembers: number,
): AccountTerms {
  const { memberId, periodStartMs } = charge;
  const usage = terms.members.get(memberId);
  if (usage !== undefined && usage.periodStartMs > periodStartMs) return terms;
  const used = usage !== undefined && usage.periodStartMs === periodStartMs ? usage.used : 0;
  // Giving back what was not counted (an agent remembered only after the charge: past the bound
  // at the time) leaves nothing to give back.
  if (credits < 0 && used === 0) return terms;
  const next: MemberUsage = {
    cap: usage?.cap ?? null,
    periodStartMs,
    used: Math.max(0, used + credits),
  };
  const members = new Map(terms.members);
  if (usage === undefined && members.size >= maxMembers) {
    for (const [id, entry] of members)
      if (entry.cap === null && entry.periodStartMs < periodStartMs) members.delete(id);
    if (members.size >= maxMembers) return terms;
  }
  members.set(memberId, next);
  return { ...terms, members };
}

/** The terms with the agent's cap set; their use this period stands. */
export function withMemberCap(
  terms: AccountTerms,
  memberId: string,
  cap: number,
  atMs: number,
): AccountTerms {
  const usage = terms.members.get(memberId);
  const members = new Map(terms.members).set(memberId, {
    cap,
    periodStartMs: usage?.periodStartMs ?? memberPeriodAt(terms, memberId, atMs),
    used: usage?.used ?? 0,
  });
  return { ...terms, members };
}
