import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { instantOf, memberUsedAt, periodStartAt } from '@credits/domain';
import { PG_POOL } from '@credits/postgres';
import { memberUsagePeriodProblem, memberUsageReport } from '@credits/read-models';
import { Allow } from '../auth/access.decorator';
import { BalanceService } from './balance.service';
import { MemberParams, MemberUsageQuery, MemberUsageResponse } from './dto/member-usage.dto';
import { ErrorResponse } from './dto/responses.dto';

const DAY_MS = 86_400_000;

@ApiTags('accounts')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad parameter, named' })
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@ApiResponse({ status: 404, type: ErrorResponse, description: 'an account with no events' })
@Controller('accounts/:id/members/:memberId')
export class MemberUsageController {
  constructor(
    private readonly balances: BalanceService,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Get('usage')
  @Allow('finance')
  @ApiOperation({
    summary:
      "An agent of a pooled account: their cap, what they used of it this period, and their generations and credits per UTC day (by default from the current period's first day)",
  })
  @ApiResponse({ status: 200, type: MemberUsageResponse })
  async usage(
    @Param() { id, memberId }: MemberParams,
    @Query() query: MemberUsageQuery,
  ): Promise<MemberUsageResponse> {
    const nowMs = Date.now();
    const balance = await this.balances.current(id, nowMs);
    if (!balance)
      throw new NotFoundException({ error: 'not_found', details: [`account ${id} has no events`] });
    const periodStartMs = periodStartAt(balance.terms.period, nowMs);
    const from = query.from ?? instantOf(Math.floor(periodStartMs / DAY_MS) * DAY_MS);
    const to = query.to ?? instantOf((Math.floor(nowMs / DAY_MS) + 1) * DAY_MS);
    const problem = memberUsagePeriodProblem(from, to);
    if (problem) throw new BadRequestException({ error: 'invalid_request', details: [problem] });
    const report = await memberUsageReport(this.pool, { accountId: id, memberId, from, to });
    const usage = balance.terms.members.get(memberId);
    return {
      ...report,
      cap: usage?.cap ?? null,
      periodStart: instantOf(periodStartMs),
      usedThisPeriod: memberUsedAt(balance.terms, memberId, nowMs),
    };
  }
}
