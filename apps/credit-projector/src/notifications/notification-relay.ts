import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import {
  decodeLedgerEvent,
  NOTIFICATION_TYPES,
  notificationOf,
  type NotificationMessage,
} from '@credits/contract';
import { accountOfStream, ACCOUNT_CATEGORY } from '@credits/domain/streams';
import { type NotificationEvent } from '@credits/domain';
import {
  backoffDelay,
  EVENT_STORE,
  PostgresCheckpoints,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '@credits/event-store';
import { PG_POOL } from '@credits/postgres';
import { ProjectorProducer } from '../projector/projector-producer';

export const NOTIFICATION_CHECKPOINT = 'relay:credit-notifications';
const TYPES: ReadonlySet<string> = new Set(NOTIFICATION_TYPES);

/**
 * Publishes the ledger's notifications (BalanceLow, BalanceRestored, AutoTopUpRequested) on
 * credit-notifications: a catch-up subscription over the accounts' streams from a checkpoint in
 * PostgreSQL, saved after Kafka has each page. The ledger is the outbox: a crash between the
 * append and the publish loses nothing (the page is published again, under the same ids), and
 * a notification is never published for an append that did not happen. Two projector
 * instances both relay; the checkpoint's compare-and-set sends the slower one back to the
 * checkpoint, and consumers drop repeats by id.
 */
@Injectable()
export class NotificationRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | null = null;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly producer: ProjectorProducer,
    @InjectPinoLogger(NotificationRelay.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.running ??= this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.stop();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const checkpoints = new PostgresCheckpoints(this.pool);
        const stored = await checkpoints.load(NOTIFICATION_CHECKPOINT);
        let version = stored?.version ?? null;
        this.subscription = this.store.subscribeToAll({
          from: stored?.position ?? 'start',
          category: ACCOUNT_CATEGORY,
          pageSize: 1_000,
          pollIntervalMs: 100,
          handle: async (events: RecordedEvent[], position: Position) => {
            await this.producer.publishNotifications(messagesOf(events));
            version = await checkpoints.save(NOTIFICATION_CHECKPOINT, position, version);
            failures = 0;
          },
        });
        if (this.stopping.signal.aborted) await this.subscription.stop();
        await this.subscription.done;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        failures += 1;
        this.logger.warn(
          { error: (error as Error).message, attempt: failures },
          'notification relay restarts from its checkpoint',
        );
        await sleep(backoffDelay(failures, 200, 10_000), undefined, {
          signal: this.stopping.signal,
        }).catch(() => undefined);
      }
    }
  }
}

/** The notifications among a page of ledger events, in log order. */
export function messagesOf(events: readonly RecordedEvent[]): NotificationMessage[] {
  const messages: NotificationMessage[] = [];
  for (const recorded of events) {
    if (!TYPES.has(recorded.type)) continue;
    const event = decodeLedgerEvent(recorded) as NotificationEvent;
    messages.push(notificationOf(accountOfStream(recorded.streamName), recorded.revision, event));
  }
  return messages;
}
