import { BadRequestException, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { PG_POOL } from '@credits/postgres';
import { instantOf } from '@credits/domain/instants';
import { memberUsedAt, periodStartAt } from '@credits/domain/terms';
import {
  DAY_MS,
  memberUsageReport,
  usagePeriodProblem,
  usageReport,
  type UsageQuery,
} from '@credits/read-models';
import { Allow } from '../auth/access.decorator';
import { AccountParams } from '../accounts/dto/account-params.dto';
import { ErrorResponse } from '../accounts/dto/responses.dto';
import { BalanceService } from '../accounts/balance.service';
import { noAccount } from '../accounts/no-account';
import { MemberParams, MemberUsageQuery, MemberUsageResponse } from './dto/member-usage.dto';
import { AccountUsageQuery, AllUsageQuery, UsageResponse } from './dto/usage.dto';

/** Usage routes: per account, across accounts, and per agent of a pool. */
@ApiTags('usage')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad parameter, named' })
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@Controller()
export class UsageController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly balances: BalanceService,
  ) {}

  @Get('accounts/:id/usage')
  @Allow('finance')
  @ApiOperation({
    summary:
      "An account's generations over whole UTC days (kept, discarded, lapsed, refused, credits), per day, edit type, resolution or agent, paged",
  })
  @ApiResponse({ status: 200, type: UsageResponse })
  @ApiResponse({ status: 404, type: ErrorResponse, description: 'an account with no events' })
  async account(
    @Param() { id }: AccountParams,
    @Query() query: AccountUsageQuery,
  ): Promise<UsageResponse> {
    const report = await this.report({ ...query, by: query.by ?? 'day', accountId: id });
    if (report.rows.length === 0 && query.after === undefined && !(await this.balances.current(id)))
      throw noAccount(id);
    return report;
  }

  @Get('usage')
  @Allow('finance')
  @ApiOperation({
    summary:
      "Every account's generations over whole UTC days, per day, edit type, resolution or account, paged",
  })
  @ApiResponse({ status: 200, type: UsageResponse })
  async all(@Query() query: AllUsageQuery): Promise<UsageResponse> {
    return this.report({ ...query, by: query.by ?? 'day' });
  }

  @Get('accounts/:id/members/:memberId/usage')
  @Allow('finance')
  @ApiOperation({
    summary:
      "An agent of a pooled account: their cap, what they used of it this period, and their generations and credits per UTC day (by default from the current period's first day)",
  })
  @ApiResponse({ status: 200, type: MemberUsageResponse })
  @ApiResponse({ status: 404, type: ErrorResponse, description: 'an account with no events' })
  async member(
    @Param() { id, memberId }: MemberParams,
    @Query() query: MemberUsageQuery,
  ): Promise<MemberUsageResponse> {
    const nowMs = Date.now();
    const balance = await this.balances.current(id, nowMs);
    if (!balance) throw noAccount(id);
    const periodStartMs = periodStartAt(balance.terms.period, nowMs);
    const from = query.from ?? instantOf(Math.floor(periodStartMs / DAY_MS) * DAY_MS);
    const to = query.to ?? instantOf((Math.floor(nowMs / DAY_MS) + 1) * DAY_MS);
    this.checkPeriod(from, to);
    const report = await memberUsageReport(this.pool, { accountId: id, memberId, from, to });
    const usage = balance.terms.members.get(memberId);
    return {
      ...report,
      cap: usage?.cap ?? null,
      periodStart: instantOf(periodStartMs),
      usedThisPeriod: memberUsedAt(balance.terms, memberId, nowMs),
    };
  }

  private async report(query: UsageQuery): Promise<UsageResponse> {
    this.checkPeriod(query.from, query.to);
    return usageReport(this.pool, query);
  }

  private checkPeriod(from: string, to: string): void {
    const problem = usagePeriodProblem(from, to);
    if (problem) throw new BadRequestException({ error: 'invalid_request', details: [problem] });
  }
}
