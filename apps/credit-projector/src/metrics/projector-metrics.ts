import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the credit projector exposes at /metrics (Prometheus). */
@Injectable()
export class ProjectorMetrics {
  readonly registry = new Registry();

  readonly wireEvents = new Counter({
    name: 'credits_projector_wire_events_total',
    help: 'editor events consumed, by type and outcome (applied, duplicate, dead_lettered)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ledgerEvents = new Counter({
    name: 'credits_projector_ledger_events_total',
    help: 'ledger events appended, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: 'credits_projector_decisions_published_total',
    help: 'decision messages published to credit-decisions, by decision',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'credits_projector_dead_letters_total',
    help: 'messages sent to the dead-letter topic, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'credits_projector_chunk_messages',
    help: 'messages decided and appended together',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500],
    registers: [this.registry],
  });

  readonly appendSeconds = new Histogram({
    name: 'credits_projector_append_seconds',
    help: 'time to append one chunk to the event store',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'credits_projector_consumer_lag',
    help: 'messages behind the end of each editor-events partition, after the last commit',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });

  readonly appendConflicts = new Counter({
    name: 'credits_projector_append_conflicts_total',
    help: 'appends refused for a stale expected revision (the states were reloaded)',
    registers: [this.registry],
  });

  readonly storeRetries = new Counter({
    name: 'credits_projector_store_retries_total',
    help: 'event store calls retried because the store was unavailable',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'credits_projector_' });
  }
}
