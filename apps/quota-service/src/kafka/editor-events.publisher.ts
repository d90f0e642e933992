import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import type { EditorEvent, EditorEventType } from '@credits/contract';
import { KAFKA, topicNames } from '@credits/kafka';

export const QUOTA_SERVICE_SOURCE = 'image-credits/quota-service';

/** Puts wire events on editor-events, keyed by account, acknowledged by all replicas. */
@Injectable()
export class EditorEventsPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(@Inject(KAFKA) kafka: Kafka, @Inject(APP_CONFIG) config: AppConfig) {
    this.topic = topicNames(config.kafka.topicPrefix).editorEvents;
    this.producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  async publish(event: EditorEvent): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [
        {
          key: event.subject,
          value: JSON.stringify(event),
          headers: { 'content-type': 'application/cloudevents+json' },
        },
      ],
    });
  }

  /** A new wire event from this service, stamped now. */
  async publishNew<T extends EditorEventType>(
    accountId: string,
    type: T,
    data: Record<string, unknown>,
  ): Promise<string> {
    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: QUOTA_SERVICE_SOURCE,
      type,
      time: new Date().toISOString(),
      subject: accountId,
      data,
    } as unknown as EditorEvent;
    await this.publish(event);
    return event.id;
  }
}
