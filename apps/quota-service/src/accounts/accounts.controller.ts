import { Controller, ForbiddenException, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import type { OpenGeneration } from '@credits/domain';
import { PG_POOL } from '@credits/postgres';
import { Allow } from '../auth/access.decorator';
import type { Caller } from '../auth/api-key.guard';
import { BalanceService } from './balance.service';
import { noAccount } from './no-account';
import {
  AccountParams,
  BalanceQuery,
  HOLDS_PER_PAGE,
  HoldsPageQuery,
  LEDGER_LINES_PER_PAGE,
  LedgerPageQuery,
} from './dto/account-params.dto';
import {
  BalanceResponse,
  ErrorResponse,
  LedgerResponse,
  OpenHoldsResponse,
} from './dto/responses.dto';

@ApiTags('balances and ledgers')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad parameter, named' })
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@Controller('accounts/:id')
export class AccountsController {
  constructor(
    private readonly balances: BalanceService,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Get('balance')
  @Allow('worker', 'billing', 'finance')
  @ApiOperation({
    summary: 'Available and held credits, and each grant; ?asOf= for a past instant (finance, ops)',
  })
  @ApiResponse({ status: 200, type: BalanceResponse })
  @ApiResponse({ status: 404, type: ErrorResponse, description: 'an account with no events' })
  async balance(
    @Param() { id }: AccountParams,
    @Query() { asOf }: BalanceQuery,
    @Req() request: { caller: Caller },
  ): Promise<BalanceResponse> {
    if (
      asOf !== undefined &&
      (request.caller.role === 'worker' || request.caller.role === 'billing')
    )
      throw new ForbiddenException({
        error: 'forbidden',
        details: ['balances as of an instant are for finance and ops'],
      });
    const balance =
      asOf === undefined ? await this.balances.current(id) : await this.balances.asOf(id, asOf);
    if (!balance) throw noAccount(id);
    return {
      accountId: id,
      available: balance.available,
      held: balance.held,
      grants: balance.grants,
    };
  }

  @Get('holds')
  @Allow('finance')
  @ApiOperation({
    summary:
      'The generations holding credits now (edits neither kept nor discarded yet), the one that lapses first first; 100 a page by default (`limit`, at most 1,000), `next` as `cursor` for the next',
  })
  @ApiResponse({ status: 200, type: OpenHoldsResponse })
  @ApiResponse({ status: 404, type: ErrorResponse, description: 'an account with no events' })
  async holds(
    @Param() { id }: AccountParams,
    @Query() { cursor, limit }: HoldsPageQuery,
  ): Promise<OpenHoldsResponse> {
    const holds = await this.balances.openHolds(id);
    if (!holds) throw noAccount(id);
    // In lapse order, then by id: a cursor stays meaningful while holds open and settle.
    const placeOf = (hold: OpenGeneration): [number, string] => [
      hold.holdExpiresAtMs,
      hold.generationId,
    ];
    const before = (a: [number, string], b: [number, string]) =>
      a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const ordered = [...holds].sort((a, b) => (before(placeOf(a), placeOf(b)) ? -1 : 1));
    const dot = cursor?.indexOf('.') ?? -1;
    const after: [number, string] | null = cursor
      ? [Number(cursor.slice(0, dot)), cursor.slice(dot + 1)]
      : null;
    const rest = after ? ordered.filter((hold) => before(after, placeOf(hold))) : ordered;
    const page = rest.slice(0, limit ?? HOLDS_PER_PAGE.default);
    const last = page.at(-1);
    return {
      accountId: id,
      held: holds.reduce((sum, hold) => sum + hold.held, 0),
      open: holds.length,
      holds: page.map((hold) => ({
        generationId: hold.generationId,
        editType: hold.editType,
        resolution: hold.resolution,
        held: hold.held,
        expiresAt: new Date(hold.holdExpiresAtMs).toISOString(),
        memberId: hold.member?.memberId ?? null,
      })),
      next: last && rest.length > page.length ? placeOf(last).join('.') : null,
    };
  }

  @Get('ledger')
  @Allow('finance')
  @ApiOperation({
    summary:
      'Ledger lines between two instants: what each event moved and what was left; 1,000 a page by default (`limit`, at most 10,000), `next` as `cursor` for the next',
  })
  @ApiResponse({ status: 200, type: LedgerResponse })
  @ApiResponse({ status: 404, type: ErrorResponse, description: 'an account with no events' })
  async ledger(
    @Param() { id }: AccountParams,
    @Query() { from, to, cursor, limit }: LedgerPageQuery,
  ): Promise<LedgerResponse> {
    const pageSize = limit ?? LEDGER_LINES_PER_PAGE.default;
    const { rows } = await this.pool.query<{
      position: string;
      time: Date;
      type: string;
      credits: number;
      available: number;
      generation_id: string | null;
      source_event_id: string | null;
      published_by: string | null;
      revision: string;
    }>(
      `SELECT position, time, type, credits::float8 AS credits, available::float8 AS available,
              generation_id, source_event_id, published_by, revision::text AS revision
         FROM rm_ledger_lines
        WHERE account_id = $1 AND ($2::timestamptz IS NULL OR time >= $2) AND ($3::timestamptz IS NULL OR time < $3)
          AND ($4::bigint IS NULL OR revision > $4)
        ORDER BY revision
        LIMIT $5`,
      [id, from ?? null, to ?? null, cursor ?? null, pageSize + 1],
    );
    if (rows.length === 0 && cursor === undefined && !(await this.balances.current(id)))
      throw noAccount(id);
    const page = rows.slice(0, pageSize);
    return {
      next: rows.length > pageSize ? (page.at(-1)?.revision ?? null) : null,
      entries: page.map((row) => ({
        position: row.position,
        time: row.time.toISOString(),
        type: row.type,
        credits: row.credits,
        available: row.available,
        generationId: row.generation_id,
        sourceEventId: row.source_event_id,
        publishedBy: row.published_by,
      })),
    };
  }
}
