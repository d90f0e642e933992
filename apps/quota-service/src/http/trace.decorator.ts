import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { childTraceparent, TRACEPARENT, validTraceparent } from '@credits/contract';

/**
 * The W3C trace context of what a route publishes: the caller's trace (its `traceparent` header,
 * when valid) or a new one, with this request's own span id. The answer carries it back in its
 * own `traceparent` header, so a caller without a tracer can still find its event's decision.
 */
export const Trace = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const traceparent = childTraceparent(validTraceparent(request.headers[TRACEPARENT]));
  void http.getResponse<FastifyReply>().header(TRACEPARENT, traceparent);
  return traceparent;
});
