import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { validateEditorEvent } from '@credits/contract';
import { Allow } from '../auth/access.decorator';
import { AcceptedResponse, ErrorResponse } from '../accounts/dto/responses.dto';
import { EditorEventsPublisher } from '../kafka/editor-events.publisher';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly publisher: EditorEventsPublisher) {}

  @Post()
  @HttpCode(202)
  @Allow('worker')
  @ApiOperation({
    summary: 'Publish one wire event (CloudEvents, as on editor-events); 202 once Kafka has it',
  })
  @ApiBody({
    description: 'a CloudEvents 1.0 event of ../shared/CONTRACT.md',
    schema: { type: 'object' },
  })
  @ApiResponse({ status: 202, type: AcceptedResponse })
  @ApiResponse({ status: 400, type: ErrorResponse, description: 'each bad field named' })
  async publish(@Body() body: Record<string, unknown>): Promise<AcceptedResponse> {
    const result = validateEditorEvent(body);
    if ('rejection' in result)
      throw new BadRequestException({
        error: result.rejection.reason,
        details: result.rejection.details,
      });
    await this.publisher.publish(result.event);
    return { accepted: true, id: result.event.id };
  }
}
