import { millisOf } from '@credits/domain/instants';

export const DAY_MS = 86_400_000;

/** The longest period a day-by-day report covers: ten years of days. */
export const MAX_REPORT_DAYS = 3_660;

/**
 * Why a period cannot be reported from a read model kept per UTC day, or null: whole UTC days
 * (midnights), in order, at most MAX_REPORT_DAYS. `what` names what is kept per day.
 */
export function wholeDaysProblem(what: string, from: string, to: string): string | null {
  const [fromMs, toMs] = [millisOf(from), millisOf(to)];
  if (fromMs % DAY_MS !== 0 || toMs % DAY_MS !== 0)
    return `${what} is kept per UTC day: from and to must be UTC midnights (e.g. 2026-11-01T00:00:00Z)`;
  if (toMs <= fromMs) return 'to must be after from';
  if ((toMs - fromMs) / DAY_MS > MAX_REPORT_DAYS)
    return `a report covers at most ${MAX_REPORT_DAYS} days`;
  return null;
}
