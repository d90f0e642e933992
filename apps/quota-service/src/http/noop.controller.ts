import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AuthorizationRequest } from '../accounts/dto/requests.dto';
import { Allow } from '../auth/access.decorator';

/**
 * The same key check, body parsing and validation as an authorization, and nothing else: the
 * baseline `npm run bench:quota` measures authorizations against, on the same server. Served only
 * with QUOTA_BASELINE_ROUTE=true, and never in the API's document.
 */
@ApiExcludeController()
@Controller('noop')
export class NoopController {
  @Post()
  @HttpCode(200)
  @Allow('worker')
  noop(@Body() _request: AuthorizationRequest): { ok: true } {
    return { ok: true };
  }
}
