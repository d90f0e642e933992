import { Matches } from 'class-validator';
import { MEMBER_ID_PATTERN } from '@credits/contract';
import { AccountParams, LedgerQuery } from '../../accounts/dto/account-params.dto';

export class MemberParams extends AccountParams {
  /** The agent inside the pooled account: 1-128 characters of A-Z a-z 0-9 . _ : - */
  @Matches(MEMBER_ID_PATTERN, {
    message: 'memberId must be 1-128 characters of A-Z a-z 0-9 . _ : -',
  })
  memberId!: string;
}

/** Whole UTC days (midnights): by default from the current period's first day to tomorrow. */
export class MemberUsageQuery extends LedgerQuery {}

export class MemberUsageTotalsView {
  generations!: number;
  kept!: number;
  discarded!: number;
  lapsed!: number;
  refused!: number;
  refunded!: number;
  /** Credits consumed: charged and kept, less what refunds gave back. */
  credits!: number;
}

export class MemberUsageDayView extends MemberUsageTotalsView {
  /** YYYY-MM-DD, UTC. */
  day!: string;
}

export class MemberUsageResponse {
  accountId!: string;
  memberId!: string;
  /** Credits per allowance period; null: no cap (pooled). */
  cap!: number | null;
  /** The current allowance period's start (RFC 3339, UTC). */
  periodStart!: string;
  /** What the agent's generations of this period took or hold: what the cap is checked against. */
  usedThisPeriod!: number;
  from!: string;
  to!: string;
  /** Days with activity, oldest first (at most 3,660). */
  days!: MemberUsageDayView[];
  totals!: MemberUsageTotalsView;
}
