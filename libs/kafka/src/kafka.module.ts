import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { createLogger, StartupError } from '@credits/runtime';
import { connectAdmin, createKafkaClient } from './kafka-client';
import { ensureContractTopics, inputTopicsMismatch, topicNames } from './topics';

export const KAFKA = Symbol('KAFKA');

/**
 * The process's kafkajs client, handed out only once the brokers answer and the contract's
 * topics exist, so no consumer or producer ever starts against a topic that is not there.
 */
export async function connectKafka(config: AppConfig, processName: string): Promise<Kafka> {
  const logger = createLogger(processName, config.logLevel);
  const probe = createKafkaClient(config.kafka, processName, logger, { quiet: true });
  const admin = await connectAdmin(probe, config.kafka.brokers, config.kafka.connectTimeoutMs);
  try {
    const topics = topicNames(config.kafka.topicPrefix);
    const created = await ensureContractTopics(admin, topics, {
      partitions: config.kafka.topicPartitions,
      replicationFactor: config.kafka.replicationFactor,
      minInsyncReplicas: config.kafka.minInsyncReplicas,
    });
    if (created.length > 0) logger.info({ topics: created }, 'created Kafka topics');
    const mismatch = await inputTopicsMismatch(admin, topics);
    if (mismatch !== null) throw new StartupError(mismatch);
  } finally {
    await admin.disconnect();
  }
  return createKafkaClient(config.kafka, processName, logger);
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(processName: string): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        {
          provide: KAFKA,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => connectKafka(config, processName),
        },
      ],
      exports: [KAFKA],
    };
  }
}
