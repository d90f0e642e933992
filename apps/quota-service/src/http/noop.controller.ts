import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthorizationRequest } from '../accounts/dto/requests.dto';
import { Allow } from '../auth/access.decorator';

/**
 * The same key check, body parsing and validation as an authorization, and nothing else: the
 * baseline `npm run bench:quota` measures authorizations against, on the same server.
 */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('noop')
export class NoopController {
  @Post()
  @HttpCode(200)
  @Allow('worker')
  @ApiOperation({
    summary: 'Checks the key and an authorization body, then answers; reads nothing',
  })
  noop(@Body() _request: AuthorizationRequest): { ok: true } {
    return { ok: true };
  }
}
