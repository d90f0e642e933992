import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { validateInputEvent } from '@credits/contract';
import { millisOf } from '@credits/domain/instants';
import { planAt } from '@credits/domain/terms';
import { LiveCatalog } from '@credits/ledger';
import { Allow } from '../auth/access.decorator';
import { CurrentCaller, type Caller } from '../auth/api-key.guard';
import { publishRefusal } from '../auth/publish-rights';
import { AcceptedResponse, ErrorResponse } from '../accounts/dto/responses.dto';
import { InputEventsPublisher } from '../kafka/input-events.publisher';
import { TracedRoute, Trace } from '../http/trace.decorator';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(
    private readonly publisher: InputEventsPublisher,
    private readonly catalog: LiveCatalog,
  ) {}

  @Post()
  @TracedRoute()
  @HttpCode(202)
  @Allow('worker', 'billing')
  @ApiOperation({
    summary:
      'Publish one wire event (CloudEvents) to its topic: usage types (worker) on editor-events, billing types (billing) on billing-events; 202 once Kafka has it',
  })
  @ApiBody({
    description: 'a CloudEvents 1.0 event of ../shared/CONTRACT.md',
    schema: { type: 'object' },
  })
  @ApiResponse({ status: 202, type: AcceptedResponse })
  @ApiResponse({ status: 400, type: ErrorResponse, description: 'each bad field named' })
  @ApiResponse({
    status: 403,
    type: ErrorResponse,
    description: "the key's role may not publish this type (named, with the role)",
  })
  async publish(
    @Body() body: Record<string, unknown>,
    @CurrentCaller() caller: Caller,
    @Trace() traceparent: string,
  ): Promise<AcceptedResponse> {
    // Before validation: a caller who may not publish a type learns nothing of its rules.
    const refusal = publishRefusal(caller.role, body?.type);
    if (refusal !== null) throw new ForbiddenException({ error: 'forbidden', details: [refusal] });
    const result = validateInputEvent(body);
    if ('rejection' in result)
      throw new BadRequestException({
        error: result.rejection.reason,
        details: result.rejection.details,
      });
    const { event } = result;
    // The projector could not decide it (it would be dead-lettered): say so now.
    if (event.type === 'PlanChanged') {
      await this.catalog.freshFor(millisOf(event.data.effectiveAt));
      if (!planAt(this.catalog.rules.priceBook, event.data.plan, millisOf(event.data.effectiveAt)))
        throw new BadRequestException({
          error: 'invalid_event',
          details: [
            `data.plan: the catalog in force at ${event.data.effectiveAt} has no plan ${JSON.stringify(event.data.plan)}`,
          ],
        });
    }
    await this.publisher.publish(event, caller.keyId, traceparent);
    return { accepted: true, id: event.id };
  }
}
