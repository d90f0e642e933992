import {
  Catch,
  HttpException,
  HttpStatus,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

/** Every error answer's body: a code a program can branch on, and lines a person can read. */
export interface ErrorBody {
  readonly error: string;
  readonly details: string[];
}

const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  504: 'timeout',
};

function bodyOf(status: number, response: unknown): ErrorBody {
  if (
    typeof response === 'object' &&
    response !== null &&
    'error' in response &&
    'details' in response
  )
    return response as ErrorBody;
  const message =
    typeof response === 'string'
      ? response
      : ((response as { message?: string | string[] } | null)?.message ?? HttpStatus[status]);
  return {
    error: CODES[status] ?? (status >= 500 ? 'internal_error' : 'request_failed'),
    details: Array.isArray(message) ? message : [String(message)],
  };
}

/**
 * Answers every failure as JSON `{error, details}`: Nest's HTTP errors, the body parser's
 * (malformed JSON, too large), and anything unexpected, which is logged and never shown.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      response
        .status(exception.getStatus())
        .json(bodyOf(exception.getStatus(), exception.getResponse()));
      return;
    }
    // body-parser reports a bad body with a 4xx status on the error itself.
    const status = (exception as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (exception as { type?: string }).type;
      const detail =
        type === 'entity.too.large'
          ? 'the body is larger than the service accepts (64 KiB)'
          : type === 'entity.parse.failed'
            ? 'the body is not valid JSON'
            : (exception as Error).message;
      response
        .status(status)
        .json({ error: CODES[status] ?? 'invalid_request', details: [detail] });
      return;
    }
    this.logger.error({ err: exception }, 'unexpected error answering a request');
    response
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ error: 'internal_error', details: ['the service failed; the log has the cause'] });
  }
}
