import {
  BadRequestException,
  Body,
  Controller,
  GatewayTimeoutException,
  HttpException,
  HttpCode,
  Inject,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import type { DecisionEvent } from '@credits/contract';
import { generationVerdict } from '@credits/domain';
import { NO_TERMS, planInForce } from '@credits/domain/terms';
import { LiveCatalog } from '@credits/ledger';
import { refusalMessage } from './refusal-message';
import { Allow } from '../auth/access.decorator';
import { CurrentCaller, type Caller } from '../auth/api-key.guard';
import { AdmissionGate, OVERLOADED } from '../http/admission';
import { TracedRoute, Trace } from '../http/trace.decorator';
import { DecisionWaiter } from '../kafka/decision-waiter';
import { InputEventsPublisher } from '../kafka/input-events.publisher';
import { QuotaMetrics } from '../metrics/quota-metrics';
import { BalanceService } from './balance.service';
import { AccountParams, GenerationParams } from './dto/account-params.dto';
import { AuthorizationRequest, GenerationRequest } from './dto/requests.dto';
import {
  AcceptedResponse,
  AuthorizationResponse,
  ErrorResponse,
  GenerationDecisionResponse,
} from './dto/responses.dto';

@ApiTags('generations')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ErrorResponse, description: 'a bad field, named' })
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@Controller('accounts/:id')
export class GenerationsController {
  constructor(
    private readonly balances: BalanceService,
    private readonly publisher: InputEventsPublisher,
    private readonly decisions: DecisionWaiter,
    private readonly metrics: QuotaMetrics,
    private readonly catalog: LiveCatalog,
    private readonly admission: AdmissionGate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('authorizations')
  @HttpCode(200)
  @Allow('worker')
  @ApiOperation({
    summary: 'Whether the account may generate this edit now, and what it costs; changes nothing',
  })
  @ApiResponse({ status: 200, type: AuthorizationResponse })
  async authorize(
    @Param() { id }: AccountParams,
    @Body() body: AuthorizationRequest,
  ): Promise<AuthorizationResponse> {
    const now = Date.now();
    const balance = await this.balances.current(id, now);
    // The rules' own verdict, on the balances read model (which does not count open generations:
    // the projector checks that bound when the generation is requested).
    const verdict = generationVerdict(
      this.catalog.rules,
      {
        plan: balance ? planInForce(balance.plan, balance.terms, now) : null,
        terms: balance?.terms ?? NO_TERMS,
        available: balance?.available ?? 0,
      },
      body,
      now,
    );
    if (!verdict)
      throw new BadRequestException({
        error: 'invalid_request',
        details: ['resolution is required for AI edit types'],
      });
    const { price, available } = verdict;
    return {
      allowed: verdict.allowed,
      generateCost: price.generate,
      acceptCost: price.accept,
      available,
      ...(verdict.allowed ? {} : { reason: verdict.reason }),
      ...(!verdict.allowed && verdict.cap !== undefined && body.memberId !== undefined
        ? { memberId: body.memberId, cap: verdict.cap, used: verdict.used ?? 0 }
        : {}),
    };
  }

  @Post('generations')
  @TracedRoute()
  @Allow('worker')
  @ApiOperation({
    summary:
      'Request a generation and wait for the decision: 201 approved, 402 refused, 504 if none comes in time',
  })
  @ApiResponse({ status: 201, type: GenerationDecisionResponse })
  @ApiResponse({ status: 402, type: GenerationDecisionResponse })
  @ApiResponse({ status: 504, type: ErrorResponse })
  async generate(
    @Param() { id }: AccountParams,
    @Body() body: GenerationRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentCaller() caller: Caller,
    @Trace() traceparent: string,
  ): Promise<GenerationDecisionResponse> {
    const timeoutMs = this.config.quota.generationTimeoutMs;
    // Checked before anything is published: a generation refused here was never requested.
    const place = this.admission.startWaiting();
    if (!place) {
      this.metrics.shedRequests.inc({ reason: 'waiting_generations' });
      void reply.header('Retry-After', String(OVERLOADED.retryAfterSeconds));
      throw new HttpException(
        OVERLOADED.body(
          `${this.config.quota.maxWaitingGenerations} generations are waiting for their decisions (QUOTA_MAX_WAITING_GENERATIONS)`,
        ),
        OVERLOADED.status,
      );
    }
    let decision: DecisionEvent | null;
    try {
      const waiting = this.decisions.waitFor(id, body.generationId, timeoutMs);
      try {
        await this.publisher.publishNew(
          id,
          'GenerationRequested',
          { ...body },
          caller.keyId,
          traceparent,
        );
      } catch (error) {
        waiting.cancel();
        throw error;
      }
      decision = await waiting.decision;
    } finally {
      place.done();
    }
    if (!decision) {
      this.metrics.decisions.inc({ outcome: 'timeout' });
      throw new GatewayTimeoutException({
        error: 'decision_timeout',
        details: [
          `no decision within ${timeoutMs} ms; the request is on Kafka and will be decided: repeat it with the same generationId to get the decision`,
        ],
      });
    }
    if (decision.type === 'GenerationApproved') {
      this.metrics.decisions.inc({ outcome: 'approved' });
      void reply.code(201);
      const { charged, held, available } = decision.data;
      return { decision: 'approved', charged, held, available };
    }
    this.metrics.decisions.inc({ outcome: 'refused' });
    void reply.code(402);
    const { required, available, reason, memberId, cap, used } = decision.data;
    return {
      decision: 'refused',
      required,
      available,
      reason,
      ...(memberId === undefined ? {} : { memberId }),
      ...(cap === undefined ? {} : { cap, used: used ?? 0 }),
      message: refusalMessage(decision.data),
    };
  }

  @Post('generations/:generationId/accept')
  @TracedRoute()
  @HttpCode(202)
  @Allow('worker')
  @ApiOperation({ summary: 'Keep a generated edit (publishes EditAccepted)' })
  @ApiResponse({ status: 202, type: AcceptedResponse })
  async accept(
    @Param() { id, generationId }: GenerationParams,
    @CurrentCaller() caller: Caller,
    @Trace() traceparent: string,
  ): Promise<AcceptedResponse> {
    return {
      accepted: true,
      id: await this.publisher.publishNew(
        id,
        'EditAccepted',
        { generationId },
        caller.keyId,
        traceparent,
      ),
    };
  }

  @Post('generations/:generationId/reject')
  @TracedRoute()
  @HttpCode(202)
  @Allow('worker')
  @ApiOperation({ summary: 'Discard a generated edit (publishes EditRejected)' })
  @ApiResponse({ status: 202, type: AcceptedResponse })
  async reject(
    @Param() { id, generationId }: GenerationParams,
    @CurrentCaller() caller: Caller,
    @Trace() traceparent: string,
  ): Promise<AcceptedResponse> {
    return {
      accepted: true,
      id: await this.publisher.publishNew(
        id,
        'EditRejected',
        { generationId },
        caller.keyId,
        traceparent,
      ),
    };
  }
}
