import type { NextFunction, Request, Response } from 'express';
import type { QuotaMetrics } from './quota-metrics';

/** Times every request, labelled by its route pattern (never the raw path: ids would explode). */
export function requestTimer(metrics: QuotaMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const stop = metrics.requestSeconds.startTimer();
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  };
}
