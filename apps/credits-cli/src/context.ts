import { Pool } from 'pg';
import { creditRulesOf, loadConfig, type AppConfig } from '@credits/config';
import { accountDecider, type AccountDecider, type CreditRules } from '@credits/domain';
import {
  readCatalog,
  rulesWithCatalog,
  warnedSnapshotTrouble,
  type SnapshotTrouble,
} from '@credits/ledger';
import { poolConfig } from '@credits/postgres';
import { openEventStore, type EventStore } from '@credits/event-store';
import { connectAdmin, createKafkaClient } from '@credits/kafka';
import { createLogger } from '@credits/runtime';
import type { Kafka } from 'kafkajs';

/** What a verb works with, opened on first use from the same configuration as the services. */
export class CliContext {
  readonly config: AppConfig = loadConfig();
  private rulesLoaded: CreditRules | null = null;
  /** A snapshot that cannot be used costs a longer read, and a line on stderr. */
  readonly snapshotTrouble: SnapshotTrouble = warnedSnapshotTrouble((fields, message) =>
    console.error(`warning: ${message} ${JSON.stringify(fields)}`),
  );
  private pool: Pool | null = null;
  private store: EventStore | null = null;
  private kafka: Kafka | null = null;

  get database(): Pool {
    this.pool ??= new Pool(poolConfig(this.config.database.url, 4));
    return this.pool;
  }

  async eventStore(): Promise<EventStore> {
    this.store ??= await openEventStore(this.config, this.database);
    return this.store;
  }

  /**
   * The projector's rules, with every catalog version published: its snapshots are of their
   * state version, and the ledger is read by the catalog it was decided by.
   */
  async rules(): Promise<CreditRules> {
    if (!this.rulesLoaded) {
      const { versions } = await readCatalog(await this.eventStore());
      this.rulesLoaded = rulesWithCatalog(creditRulesOf(this.config), versions);
    }
    return this.rulesLoaded;
  }

  async decider(): Promise<AccountDecider> {
    return accountDecider(await this.rules());
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
