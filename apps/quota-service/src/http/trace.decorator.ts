import {
  applyDecorators,
  createParamDecorator,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { childTraceparent, TRACEPARENT, validTraceparent } from '@credits/contract';
import { openSpan, SpanKind, SpanStatusCode, traceparentOf } from '@credits/telemetry';

/** Where a traced route's request keeps its own traceparent for `Trace` to read. */
const REQUEST_TRACEPARENT = Symbol('traceparent');
type TracedRequest = FastifyRequest & { [REQUEST_TRACEPARENT]?: string };

/**
 * The HTTP server span of a route that publishes, in the caller's trace (its `traceparent`
 * header, when valid) or a new one, ended when the answer is sent, with its status. What the
 * route publishes is this span's child, and the answer's own `traceparent` header names it, so a
 * caller without a tracer can still find its event's decision, and a trace viewer finds every
 * parent. With tracing off, nothing is recorded and the traceparent is a new child id.
 */
class ServerSpanInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<TracedRequest>();
    const reply = http.getResponse<FastifyReply>();
    const caller = validTraceparent(request.headers[TRACEPARENT]);
    const route = request.routeOptions.url ?? request.url;
    const span = openSpan(`${request.method} ${route}`, {
      parent: caller,
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': route },
    });
    // 'close' comes also when the caller leaves before the answer: the span ends either way.
    reply.raw.once('close', () => {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const traceparent = traceparentOf(span, childTraceparent(caller));
    request[REQUEST_TRACEPARENT] = traceparent;
    void reply.header(TRACEPARENT, traceparent);
    return next.handle();
  }
}

/**
 * A route that publishes: recorded as an HTTP server span (`ServerSpanInterceptor`), and its
 * OpenAPI entry names the optional `traceparent` header it reads.
 */
export const TracedRoute = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(ServerSpanInterceptor),
    ApiHeader({
      name: TRACEPARENT,
      required: false,
      description:
        'W3C Trace Context: the event published is in this trace (a new one when absent or malformed); the answer carries its own traceparent back',
    }),
  );

/** The traceparent of what a `TracedRoute` publishes: its server span's. */
export const Trace = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const traceparent = context.switchToHttp().getRequest<TracedRequest>()[REQUEST_TRACEPARENT];
  if (traceparent === undefined) throw new Error('@Trace() is read only on a @TracedRoute()');
  return traceparent;
});
