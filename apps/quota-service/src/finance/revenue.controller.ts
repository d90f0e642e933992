import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  InternalServerErrorException,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { PG_POOL } from '@credits/postgres';
import { revenuePeriodProblem, revenueReport } from '@credits/read-models';
import { Allow } from '../auth/access.decorator';
import { ErrorResponse } from '../accounts/dto/responses.dto';
import { RevenueQueryParams, RevenueResponse } from './dto/revenue.dto';

@ApiTags('finance')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad parameter, named' })
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@Controller('finance')
export class RevenueController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('revenue')
  @Allow('finance')
  @ApiOperation({
    summary:
      'Revenue recognition over whole UTC days, per currency and day, month or account: opening deferred + sold − recognised − breakage + refunded − voided = closing deferred (minor units)',
  })
  @ApiResponse({ status: 200, type: RevenueResponse })
  async revenue(@Query() query: RevenueQueryParams): Promise<RevenueResponse> {
    const problem = revenuePeriodProblem(query.from, query.to);
    if (problem) throw new BadRequestException({ error: 'invalid_request', details: [problem] });
    const report = await revenueReport(this.pool, {
      from: query.from,
      to: query.to,
      by: query.by ?? 'day',
      ...(query.account === undefined ? {} : { accountId: query.account }),
      ...(query.after === undefined ? {} : { after: query.after }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
    if (report.discrepancies.length > 0)
      throw new InternalServerErrorException({
        error: 'revenue_read_model_inconsistent',
        details: report.discrepancies,
      });
    return report;
  }
}
