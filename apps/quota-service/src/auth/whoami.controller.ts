import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponse } from '../accounts/dto/responses.dto';
import { Allow } from './access.decorator';
import { CurrentCaller, type Caller } from './api-key.guard';
import { WhoAmIResponse } from './whoami.dto';

/** What a key is: a client (the dashboard, say) offers only what its role may do. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('whoami')
export class WhoAmIController {
  @Get()
  @Allow('worker', 'billing', 'finance')
  @ApiOperation({ summary: "The calling key's role and name" })
  @ApiResponse({ status: 200, type: WhoAmIResponse })
  @ApiResponse({ status: 401, type: ErrorResponse })
  whoami(@CurrentCaller() caller: Caller): WhoAmIResponse {
    return { role: caller.role, keyId: caller.keyId };
  }
}
