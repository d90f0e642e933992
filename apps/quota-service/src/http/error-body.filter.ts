import {
  Catch,
  HttpException,
  HttpStatus,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { EventStoreUnavailableError } from '@credits/event-store';
import { isDatabaseUnavailable } from '@credits/postgres';
import { OVERLOADED } from './admission';

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
  414: 'uri_too_long',
  405: 'method_not_allowed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  504: 'timeout',
};

/** How long a client waits before asking again when the store did not answer. */
const STORE_AWAY_RETRY_AFTER_SECONDS = 1;

/** What a person should read where the body parser's own words are vaguer. */
const PARSER_DETAILS: Record<number, string> = {
  413: 'the body is larger than the service accepts (64 KiB)',
  415: 'send the body as application/json',
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
      ? (PARSER_DETAILS[status] ?? response)
      : ((response as { message?: string | string[] } | null)?.message ?? HttpStatus[status]);
  return {
    error: CODES[status] ?? (status >= 500 ? 'internal_error' : 'request_failed'),
    details: Array.isArray(message) ? message : [String(message)],
  };
}

/**
 * Answers every failure as JSON `{error, details}`: Nest's HTTP errors, the body parser's
 * (malformed JSON, too large, not JSON), and anything unexpected, which is logged and never shown.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // Fastify's own errors (a malformed or too large body) arrive here as HttpExceptions.
    if (exception instanceof HttpException) {
      const body = bodyOf(exception.getStatus(), exception.getResponse());
      // However a handler came to refuse for overload, the client learns when to come back.
      if (body.error === OVERLOADED.body('').error && !reply.hasHeader('Retry-After'))
        void reply.header('Retry-After', String(OVERLOADED.retryAfterSeconds));
      void reply.code(exception.getStatus()).send(body);
      return;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // The database or the event store away (restarting, its connection cut): the request was
    // fine and may be tried again, so 503 and when, not a 500.
    if (isDatabaseUnavailable(exception) || exception instanceof EventStoreUnavailableError) {
      this.logger.warn(
        { error: (exception as Error).message, req: { id: request.id, url: request.url } },
        'the store did not answer a request',
      );
      void reply
        .code(HttpStatus.SERVICE_UNAVAILABLE)
        .header('Retry-After', String(STORE_AWAY_RETRY_AFTER_SECONDS))
        .send({ error: 'store_unavailable', details: ['the store did not answer: try again'] });
      return;
    }
    this.logger.error(
      { err: exception, req: { id: request.id, method: request.method, url: request.url } },
      'unexpected error answering a request',
    );
    void reply
      .code(HttpStatus.INTERNAL_SERVER_ERROR)
      .send({ error: 'internal_error', details: ['the service failed; the log has the cause'] });
  }
}

/**
 * Fastify's router answers a few requests before Nest sees them (a malformed URL, a path segment
 * over its length limit): `frameworkErrors` gives them the same body as every other failure.
 */
export function frameworkErrorAnswer(error: FastifyError, _request: unknown, reply: FastifyReply) {
  const status = error.statusCode ?? 400;
  void reply.code(status).send({
    error: CODES[status] ?? 'invalid_request',
    details: [
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'a part of the path is too long: ids are at most 128 characters'
        : error.message,
    ],
  });
}
