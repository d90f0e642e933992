import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import type { DecisionEvent } from '@credits/contract';
import { KAFKA, quotaServiceGroupPrefix, topicNames } from '@credits/kafka';
import { StartupError, within } from '@credits/runtime';

const JOIN_TIMEOUT_MS = 30_000;

/**
 * One consumer of credit-decisions for the whole process, in a group of its own so it sees every
 * decision from the moment it joined. Requests wait on (account, generation); whichever copy of a
 * decision arrives first answers every request waiting for it.
 */
@Injectable()
export class DecisionWaiter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: Consumer;
  private readonly topic: string;
  private readonly waiting = new Map<string, Set<(decision: DecisionEvent) => void>>();

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectPinoLogger(DecisionWaiter.name) private readonly logger: PinoLogger,
  ) {
    this.topic = topicNames(config.kafka.topicPrefix).creditDecisions;
    // Never commits: a group only this process uses, which the broker expires after it leaves.
    const groupId = `${quotaServiceGroupPrefix(config.kafka.topicPrefix)}${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    // A short long-poll: disconnecting waits for the fetch in flight, so shutdown stays quick.
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const joined = new Promise<void>((resolve) => {
      const stop = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        stop();
        resolve();
      });
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => this.deliver(message.value?.toString() ?? ''),
    });
    try {
      await within(JOIN_TIMEOUT_MS, joined);
    } catch (error) {
      throw new StartupError(
        `the quota service could not join Kafka to read decisions (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
  }

  /** Before any connection closes: nothing may still be using one. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }

  /**
   * Resolves with the decision for this generation, or null after `timeoutMs`. Register before
   * publishing the request, so a quick decision cannot slip past.
   */
  waitFor(
    accountId: string,
    generationId: string,
    timeoutMs: number,
  ): { decision: Promise<DecisionEvent | null>; cancel(): void } {
    const key = `${accountId}/${generationId}`;
    let settle!: (decision: DecisionEvent | null) => void;
    const decision = new Promise<DecisionEvent | null>((resolve) => (settle = resolve));
    const listeners = this.waiting.get(key) ?? new Set();
    const listener = (event: DecisionEvent) => finish(event);
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (event: DecisionEvent | null) => {
      clearTimeout(timer);
      listeners.delete(listener);
      if (listeners.size === 0) this.waiting.delete(key);
      settle(event);
    };
    listeners.add(listener);
    this.waiting.set(key, listeners);
    return { decision, cancel: () => finish(null) };
  }

  private deliver(value: string): void {
    let event: DecisionEvent;
    try {
      event = JSON.parse(value) as DecisionEvent;
    } catch {
      this.logger.warn({ value: value.slice(0, 200) }, 'a credit-decisions message is not JSON');
      return;
    }
    const listeners = this.waiting.get(`${event.subject}/${event.data?.generationId}`);
    if (listeners) for (const listener of [...listeners]) listener(event);
  }
}
