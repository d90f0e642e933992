import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA } from '@credits/kafka';
import { within } from '@credits/runtime';

@Injectable()
export class KafkaHealthIndicator implements OnModuleDestroy {
  private readonly admin: Admin;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly indicator: HealthIndicatorService,
  ) {
    this.admin = kafka.admin({ retry: { retries: 0 } });
  }

  async check(key: string) {
    const probe = this.indicator.check(key);
    try {
      const cluster = await within(
        2_000,
        this.admin.connect().then(() => this.admin.describeCluster()),
      );
      return probe.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return probe.down({ message: (error as Error).message });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin.disconnect();
  }
}
