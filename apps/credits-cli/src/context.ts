import { Pool } from 'pg';
import { loadConfig, type AppConfig } from '@credits/config';
import { openEventStore, type EventStore } from '@credits/event-store';
import { connectAdmin, createKafkaClient } from '@credits/kafka';
import { createLogger } from '@credits/runtime';
import type { Kafka } from 'kafkajs';

/** What a verb works with, opened on first use from the same configuration as the services. */
export class CliContext {
  readonly config: AppConfig = loadConfig();
  private pool: Pool | null = null;
  private store: EventStore | null = null;
  private kafka: Kafka | null = null;

  get database(): Pool {
    this.pool ??= new Pool({ connectionString: this.config.database.url, max: 4 });
    return this.pool;
  }

  async eventStore(): Promise<EventStore> {
    this.store ??= await openEventStore(this.config, this.database);
    return this.store;
  }

  async broker(): Promise<Kafka> {
    if (!this.kafka) {
      const logger = createLogger('credits', 'silent');
      const kafka = createKafkaClient(this.config.kafka, 'credits-cli', logger, { quiet: true });
      const admin = await connectAdmin(
        kafka,
        this.config.kafka.brokers,
        this.config.kafka.connectTimeoutMs,
      );
      await admin.disconnect();
      this.kafka = kafka;
    }
    return this.kafka;
  }

  async close(): Promise<void> {
    await this.store?.close().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }
}

export async function withContext<T>(work: (context: CliContext) => Promise<T>): Promise<T> {
  const context = new CliContext();
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
