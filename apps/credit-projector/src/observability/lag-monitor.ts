import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Admin, Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import {
  inputTopicNames,
  KAFKA,
  projectorGroupId,
  readGroupOffsets,
  topicNames,
} from '@credits/kafka';
import { ConsumerHealth } from './consumer-health';
import { ProjectorMetrics } from './projector-metrics';

/**
 * Reads the group's committed offsets and the input topics' ends from the broker every
 * PROJECTOR_LAG_INTERVAL_MS, whatever the consumer is doing: a stalled or crashed consumer commits
 * nothing, so lag known only from commits would freeze at its last value.
 */
@Injectable()
export class LagMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly admin: Admin;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private failing = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: ConsumerHealth,
    private readonly metrics: ProjectorMetrics,
    @InjectPinoLogger(LagMonitor.name) private readonly logger: PinoLogger,
  ) {
    this.admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 } });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.admin.connect();
    this.timer = setInterval(() => {
      // One read at a time: a slow broker never piles reads up.
      this.reading ??= this.read().finally(() => (this.reading = null));
    }, this.config.projector.lagIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reading;
    await this.admin.disconnect();
  }

  private async read(): Promise<void> {
    const { kafka } = this.config;
    try {
      const groupId = projectorGroupId(kafka.topicPrefix);
      for (const topic of inputTopicNames(topicNames(kafka.topicPrefix))) {
        const partitions = await readGroupOffsets(this.admin, groupId, topic);
        for (const { partition, committed, low, end } of partitions)
          this.health.observed({ topic, partition }, committed, low, end);
      }
      if (this.failing) this.logger.info('reading the group offsets works again');
      this.failing = false;
    } catch (error) {
      this.metrics.lagReadFailures.inc();
      // Said once per outage, not at every tick.
      if (!this.failing)
        this.logger.warn(
          { error: (error as Error).message },
          'could not read the group offsets from the broker: lag stays at its last value',
        );
      this.failing = true;
    }
  }
}
