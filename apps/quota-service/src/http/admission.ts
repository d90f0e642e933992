import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { isProbe } from './probes';

export interface AdmissionLimits {
  /** Requests being answered at once (not counting generations waiting for their decision). */
  readonly maxInFlight: number;
  /** Synchronous generations waiting for their decision at once: they wait on the projector, not the CPU. */
  readonly maxWaiting: number;
  /** The event loop's delay (p99 of the last window) above which new requests are refused. */
  readonly maxEventLoopDelayMs: number;
}

export type ShedReason = 'in_flight' | 'event_loop_delay' | 'waiting_generations';

/**
 * Whether a new request may start: refused while as many as `maxInFlight` are being answered, or
 * while the event loop runs late by more than `maxEventLoopDelayMs`. A request refused costs a
 * few microseconds and an answer; one admitted and queued behind seconds of work would cost its
 * caller those seconds and every request after it more.
 */
export class AdmissionGate {
  private inFlight = 0;
  private waiting = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly eventLoopDelayMs: () => number,
  ) {}

  /** Null when admitted (call `finished` once it is answered), else why not. */
  admit(): ShedReason | null {
    if (this.inFlight >= this.limits.maxInFlight) return 'in_flight';
    if (this.eventLoopDelayMs() > this.limits.maxEventLoopDelayMs) return 'event_loop_delay';
    this.inFlight += 1;
    return null;
  }

  finished(): void {
    this.inFlight -= 1;
  }

  /**
   * An admitted request about to wait on something else (a generation, for its decision) gives
   * its place to others while it waits, and takes one of `maxWaiting` instead: `done` when the
   * wait is over. Null when as many wait already: refuse it before it starts anything.
   */
  startWaiting(): { done(): void } | null {
    if (this.waiting >= this.limits.maxWaiting) return null;
    this.waiting += 1;
    this.inFlight -= 1;
    let over = false;
    return {
      done: () => {
        if (over) return;
        over = true;
        this.waiting -= 1;
        this.inFlight += 1;
      },
    };
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  get requestsWaiting(): number {
    return this.waiting;
  }
}

/** The answer to a request refused because the service is overloaded. */
export const OVERLOADED = {
  status: 503,
  retryAfterSeconds: 1,
  body: (why: string) => ({ error: 'overloaded', details: [`${why}: retry in a second`] }),
} as const;

/**
 * The event loop's delay, as the p99 of what `monitorEventLoopDelay` saw over the last window:
 * late timers mean work is queued behind the one running. The timer does not keep the process
 * alive.
 */
export class EventLoopDelay implements OnApplicationShutdown {
  private readonly histogram: ELDHistogram = monitorEventLoopDelay({ resolution: 10 });
  private latestMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs = 500) {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.latestMs = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
      this.histogram.reset();
    }, windowMs);
    this.timer.unref();
  }

  get ms(): number {
    return this.latestMs;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

/**
 * Fastify `onRequest` hook, before the body is read: a request the gate refuses gets 503 with
 * `Retry-After: 1` and the usual JSON error body at once, and `onShed` counts it; `/health` and
 * `/metrics` are never refused (nor counted in flight).
 */
export function admission(gate: AdmissionGate, onShed: (reason: ShedReason) => void) {
  return (
    request: { readonly routeOptions: Pick<FastifyRequest['routeOptions'], 'url'> },
    reply: Pick<FastifyReply, 'code' | 'header' | 'send' | 'raw'>,
    done: HookHandlerDoneFunction,
  ): void => {
    // Fastify has matched the route by the time onRequest hooks run.
    if (isProbe(request.routeOptions.url)) {
      done();
      return;
    }
    const refused = gate.admit();
    if (refused) {
      onShed(refused);
      // Answered here, so `done` is not called: the request goes no further.
      void reply
        .code(OVERLOADED.status)
        .header('Retry-After', String(OVERLOADED.retryAfterSeconds))
        .send(
          OVERLOADED.body(
            refused === 'in_flight'
              ? 'the service is answering as many requests as it may at once'
              : 'the service is running behind',
          ),
        );
      return;
    }
    // 'close' comes once for every response, answered or abandoned by its caller.
    reply.raw.once('close', () => gate.finished());
    done();
  };
}
