import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { QuotaMetrics } from './quota-metrics';

/**
 * Fastify `onResponse` hook: times every answer, refusals included, labelled by its route
 * pattern (never the raw path: ids would explode).
 */
export function requestTimer(metrics: QuotaMetrics) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    metrics.requestSeconds.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  };
}
