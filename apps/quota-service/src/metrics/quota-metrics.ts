import { leaderGauge } from '@credits/runtime';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the quota service exposes at /metrics (Prometheus). */
@Injectable()
export class QuotaMetrics {
  readonly registry = new Registry();

  readonly requestSeconds = new Histogram({
    name: 'credits_quota_http_request_seconds',
    help: 'time to answer an HTTP request, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: 'credits_quota_generation_decisions_total',
    help: 'synchronous generation requests, by outcome (approved, refused, timeout)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly readModelLagSeconds = new Gauge({
    name: 'credits_quota_read_model_lag_seconds',
    help: 'how far each read model is behind the ledger (0 when caught up)',
    labelNames: ['read_model'] as const,
    registers: [this.registry],
  });

  readonly leader = leaderGauge(this.registry);

  readonly shedRequests = new Counter({
    name: 'credits_quota_shed_requests_total',
    help: 'requests refused with 503 because the service was overloaded, by reason (in_flight, event_loop_delay)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly publishResends = new Counter({
    name: 'credits_quota_publish_resends_total',
    help: "partitions of a coalesced publish that Kafka's answer left out, whose events were sent again (kafkajs can resolve such a send when a partition leader moved: docs/kafka-durability.md)",
    registers: [this.registry],
  });

  private inFlightNow: () => number = () => 0;
  private waitingNow: () => number = () => 0;

  readonly requestsInFlight: Gauge = new Gauge({
    name: 'credits_quota_requests_in_flight',
    help: 'requests being answered (not counting /health, /metrics, and generations waiting for their decision)',
    registers: [this.registry],
    collect: (): void => this.requestsInFlight.set(this.inFlightNow()),
  });

  readonly generationsWaiting: Gauge = new Gauge({
    name: 'credits_quota_generations_waiting',
    help: 'synchronous generations waiting for their decision',
    registers: [this.registry],
    collect: (): void => this.generationsWaiting.set(this.waitingNow()),
  });

  /** Where the in-flight and waiting gauges read from when scraped. */
  countInFlight(inFlight: () => number, waiting: () => number): void {
    this.inFlightNow = inFlight;
    this.waitingNow = waiting;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'credits_quota_' });
  }
}
