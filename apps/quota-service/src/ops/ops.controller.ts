import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  NotFoundException,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Admin, Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { EVENT_STORE, type EventStore } from '@credits/event-store';
import { KAFKA, quotaServiceGroupPrefix, topicNames, type TopicNames } from '@credits/kafka';
import {
  DEAD_LETTER_PAGE,
  newestDeadLetters,
  offsetsCovering,
  pipelineStatus,
  readDeadLetters,
  replayDeadLetters,
} from '@credits/operations';
import { PG_POOL } from '@credits/postgres';
import { readModelStandings } from '@credits/read-models';
import { Allow } from '../auth/access.decorator';
import { ErrorResponse } from '../accounts/dto/responses.dto';
import {
  DeadLettersQuery,
  DeadLettersResponse,
  OpsStatusResponse,
  ReplayRequest,
  ReplayResponse,
} from './dto/ops.dto';

/**
 * Reads of the dead-letter topic at once: each joins a consumer group of its own and reads up to
 * a page per partition, so a burst of them is refused (503) rather than queued.
 */
const DEAD_LETTER_READS_AT_ONCE = 2;

/** What `credits status` and `credits dlq` tell ops, for the dashboard and other tools. */
@ApiTags('ops')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@Controller('ops')
export class OpsController {
  private readonly topics: TopicNames;
  private deadLetterReads = 0;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    this.topics = topicNames(config.kafka.topicPrefix);
  }

  @Get('status')
  @Allow('finance')
  @ApiOperation({
    summary:
      "The projector's partitions (owner, offsets, lag, last progress) and each read model's version, checkpoint and lag, with the stall verdict of `credits status`",
  })
  @ApiResponse({ status: 200, type: OpsStatusResponse })
  async status(): Promise<OpsStatusResponse> {
    return this.withAdmin((admin) =>
      pipelineStatus({
        admin,
        topicPrefix: this.config.kafka.topicPrefix,
        stallAfterMs: this.config.projector.stallAfterMs,
        readModelStandings: () => readModelStandings(this.store, this.pool),
      }),
    );
  }

  @Get('dead-letters')
  @Allow('finance')
  @ApiOperation({
    summary:
      'Dead letters of editor-events and billing-events, newest first, with their reasons, paged by cursor',
  })
  @ApiResponse({ status: 200, type: DeadLettersResponse })
  @ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad limit or cursor, named' })
  @ApiResponse({ status: 503, type: ErrorResponse, description: 'too many reads at once' })
  async deadLetters(@Query() query: DeadLettersQuery): Promise<DeadLettersResponse> {
    return this.readingDeadLetters(() =>
      this.withAdmin((admin) =>
        newestDeadLetters(
          this.kafka,
          admin,
          { topic: this.topics.editorEventsDeadLetters, groupId: this.readerGroupId() },
          { limit: query.limit ?? DEAD_LETTER_PAGE.defaultLimit, cursor: query.cursor },
        ),
      ).catch((error: unknown) => {
        if (error instanceof RangeError)
          throw new BadRequestException({ error: 'invalid_request', details: [error.message] });
        throw error;
      }),
    );
  }

  @Post('dead-letters/replay')
  @Allow()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Put chosen dead letters back on the input topic they came from (or on `to`), unchanged: same ids, so nothing is charged twice. Ops keys only',
  })
  @ApiResponse({ status: 200, type: ReplayResponse })
  @ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad field, named' })
  @ApiResponse({ status: 404, type: ErrorResponse, description: 'an `at` with no dead letter' })
  @ApiResponse({ status: 503, type: ErrorResponse, description: 'too many reads at once' })
  async replay(@Body() request: ReplayRequest): Promise<ReplayResponse> {
    const chosen = await this.readingDeadLetters(() =>
      readDeadLetters(
        this.kafka,
        this.topics.editorEventsDeadLetters,
        this.readerGroupId(),
        offsetsCovering(request.at),
        (at) => request.at.includes(at),
      ),
    );
    const missing = request.at.filter((at) => !chosen.some((letter) => letter.at === at));
    if (missing.length > 0)
      throw new NotFoundException({
        error: 'dead_letter_not_found',
        details: missing.map((at) => `no dead letter at ${at}: nothing was replayed`),
      });
    const replayed = await replayDeadLetters(this.kafka, this.topics, chosen, request.to);
    return { replayed: [...replayed].map(([topic, at]) => ({ topic, at })) };
  }

  /** A consumer group the quota service's Kafka principal may use, new for each read. */
  private readerGroupId(): string {
    return `${quotaServiceGroupPrefix(this.config.kafka.topicPrefix)}dead-letters-${randomUUID()}`;
  }

  private async readingDeadLetters<T>(read: () => Promise<T>): Promise<T> {
    if (this.deadLetterReads >= DEAD_LETTER_READS_AT_ONCE)
      throw new HttpException(
        {
          error: 'busy',
          details: [
            `${DEAD_LETTER_READS_AT_ONCE} reads of the dead-letter topic are under way: try again in a moment`,
          ],
        },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    this.deadLetterReads += 1;
    try {
      return await read();
    } finally {
      this.deadLetterReads -= 1;
    }
  }

  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}
