import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import type { Caller } from '../auth/api-key.guard';
import { isProbe } from './probes';

/**
 * Fastify `onResponse` hook: one line per answer but the probes', at info, naming the caller by
 * its key's id. Never a header: the Authorization header holds the key itself.
 */
export function accessLog(logger: PinoLogger) {
  return (
    request: FastifyRequest & { caller?: Caller },
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    const route = request.routeOptions.url;
    if (!isProbe(route))
      logger.info(
        {
          req: {
            id: request.id,
            method: request.method,
            url: request.url,
            route: route ?? null,
            remoteAddress: request.ip,
          },
          res: { statusCode: reply.statusCode },
          caller: request.caller?.keyId ?? null,
          responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    done();
  };
}
