import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { describeValidationErrors } from '@credits/contract';

/** Bodies, path and query parameters checked against their classes; unknown fields refused. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        error: 'invalid_request',
        details: describeValidationErrors(errors),
      }),
  });
}
