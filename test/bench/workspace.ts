import type { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { ensureTopics, topicNames, type TopicNames } from '@credits/kafka';
import { startLocal } from '../harness/backends';
import { kafkaClient } from '../harness/editor-events';
import { isolatedPrefix } from '../harness/projector';

/** What a benchmark runs in: the broker, a database and topics of its own, put away afterwards. */
export interface BenchWorkspace {
  readonly prefix: string;
  readonly topics: TopicNames;
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  readonly kafkaAdmin: Admin;
}

export async function inBenchWorkspace(
  label: string,
  partitions: number,
  work: (workspace: BenchWorkspace) => Promise<void>,
): Promise<void> {
  const services = await startLocal();
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  const prefix = isolatedPrefix(label);
  const database = `credits_bench_${label}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: services.postgresServerUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(services.postgresServerUrl), {
    pathname: `/${database}`,
  }).toString();
  const kafka = kafkaClient(`${label}-bench`);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const topics = topicNames(prefix);
  try {
    await ensureTopics(kafkaAdmin, Object.values(topics), { partitions, replicationFactor: 1 });
    await work({ prefix, topics, databaseUrl, kafka, kafkaAdmin });
  } finally {
    await kafkaAdmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    // BENCH_KEEP_DATABASE=1 leaves the history there, to rebuild or profile against later.
    if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`kept database ${database}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await services.stop();
  }
}

/** A benchmark's entry point: one line and exit 1 when it fails. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`${name} bench failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
