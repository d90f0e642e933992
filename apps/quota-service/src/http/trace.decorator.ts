import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
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

/** The route's OpenAPI entry names the optional `traceparent` header it reads (`Trace`). */
export const ApiTraceparent = (): MethodDecorator =>
  ApiHeader({
    name: TRACEPARENT,
    required: false,
    description:
      'W3C Trace Context: the event published is in this trace (a new one when absent or malformed); the answer carries its own traceparent back',
  });
