import { Injectable } from '@nestjs/common';
import { leaderGauge } from '@credits/runtime';
import { ConsumerHealth } from './consumer-health';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the credit projector exposes at /metrics (Prometheus). */
@Injectable()
export class ProjectorMetrics {
  readonly registry = new Registry();

  readonly leader = leaderGauge(this.registry);

  readonly wireEvents = new Counter({
    name: 'credits_projector_wire_events_total',
    help: 'wire events consumed (both input topics), by type and outcome (applied, duplicate, dead_lettered)',
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

  readonly notifications = new Counter({
    name: 'credits_projector_notifications_published_total',
    help: 'messages published to credit-notifications (at least once), by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'credits_projector_dead_letters_total',
    help: 'messages sent to the dead-letter topic, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly producerRenewals = new Counter({
    name: 'credits_projector_producer_renewals_total',
    help: 'times the Kafka producer was replaced by one with a new producer id (its sequences out of step with the broker)',
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

  readonly consumerLag: Gauge<'partition'>;
  readonly secondsSinceProgress: Gauge<'partition'>;
  readonly ready: Gauge;

  readonly producerResends = new Counter({
    name: 'credits_projector_producer_resends_total',
    help: 'partitions whose messages were sent again because Kafka answered a send without them (tulios/kafkajs#1798)',
    registers: [this.registry],
  });

  readonly clockJumps = new Counter({
    name: 'credits_projector_clock_jumps_total',
    help: 'jumps of the wall clock larger than PROJECTOR_CLOCK_JUMP_ALERT_MS, seen against the monotonic clock, by direction (backward, forward)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly consumerCrashes = new Counter({
    name: 'credits_projector_consumer_crashes_total',
    help: 'consumer crashes (kafkajs consumer.crash), by whether kafkajs restarts it itself',
    labelNames: ['restarted_by'] as const,
    registers: [this.registry],
  });

  readonly lagReadFailures = new Counter({
    name: 'credits_projector_lag_read_failures_total',
    help: "reads of the group's offsets from the broker that failed (lag then stays at its last value)",
    registers: [this.registry],
  });

  readonly appendConflicts = new Counter({
    name: 'credits_projector_append_conflicts_total',
    help: 'appends refused for a stale expected revision (the states were reloaded)',
    registers: [this.registry],
  });

  readonly storeRetries = new Counter({
    name: 'credits_projector_store_retries_total',
    help: 'chunk writes waited out and tried again: failure="unavailable" when the event store did not answer, "store_full" when it had no disk space left, "unknown" for a failure not known to be the data (never dead-lettered)',
    labelNames: ['failure'] as const,
    registers: [this.registry],
  });

  readonly accountLoads = new Counter({
    name: 'credits_projector_account_loads_total',
    help: 'accounts loaded into the cache, from a snapshot and its tail or from the start of the stream',
    labelNames: ['from'] as const,
    registers: [this.registry],
  });

  readonly eventsFoldedOnLoad = new Counter({
    name: 'credits_projector_events_folded_on_load_total',
    help: 'stored events folded to load accounts (a snapshot spares all before it)',
    registers: [this.registry],
  });

  readonly snapshotsWritten = new Counter({
    name: 'credits_projector_snapshots_written_total',
    help: 'account snapshots written',
    registers: [this.registry],
  });

  readonly snapshotsSkipped = new Counter({
    name: 'credits_projector_snapshots_skipped_total',
    help: 'snapshots not used or not written: unreadable (did not decode; the stream was folded instead), queue_full, write_failed',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(health: ConsumerHealth) {
    collectDefaultMetrics({ register: this.registry, prefix: 'credits_projector_' });
    // Computed at each scrape from what the lag monitor last read, so a stalled partition shows
    // its lag and its silence growing even when nothing is committed.
    const partitions = () => health.responsibleFor();
    this.consumerLag = new Gauge({
      name: 'credits_projector_consumer_lag',
      help: "messages behind the end of each input partition (editor-events, billing-events) this projector is responsible for, from the broker's offsets",
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { topic, partition, lag } of partitions())
          if (lag !== null) this.set({ topic, partition: String(partition) }, lag);
      },
    });
    this.secondsSinceProgress = new Gauge({
      name: 'credits_projector_partition_seconds_since_progress',
      help: 'seconds since each partition this projector is responsible for last made progress (a commit, or no lag)',
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { topic, partition, sinceProgressMs } of partitions())
          this.set({ topic, partition: String(partition) }, sinceProgressMs / 1000);
      },
    });
    this.ready = new Gauge({
      name: 'credits_projector_ready',
      help: '1 when the projector is in its group, owns partitions and each makes progress or has no lag (as /ready)',
      registers: [this.registry],
      collect() {
        this.set(health.readiness().ok ? 1 : 0);
      },
    });
  }
}
