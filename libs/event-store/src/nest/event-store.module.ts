import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { PG_POOL } from '@credits/postgres';
import { StartupError, within } from '@credits/runtime';
import { EventStoreDbEventStore } from '../eventstoredb/eventstoredb-event-store';
import type { EventStore } from '../port/event-store';
import { PostgresEventStore } from '../postgres/postgres-event-store';

export const EVENT_STORE = Symbol('EVENT_STORE');

const CONNECT_TIMEOUT_MS = 10_000;

/** The store EVENT_STORE names, migrated and answering before the app starts. */
export async function openEventStore(config: AppConfig, pool: Pool): Promise<EventStore> {
  const settings = config.eventStore;
  const store =
    settings.adapter === 'postgres'
      ? await PostgresEventStore.open({ pool }).catch((error: unknown) => {
          throw new StartupError(
            `the PostgreSQL event store cannot open: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        })
      : EventStoreDbEventStore.connect(settings.connectionString);
  try {
    await within(CONNECT_TIMEOUT_MS, store.readAll({ from: 'start', maxCount: 1 }));
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new StartupError(
      `the ${store.adapterName} event store does not answer (${(error as Error).message}): ` +
        (settings.adapter === 'eventstoredb'
          ? 'start EventStoreDB or fix EVENTSTORE_CONNECTION_STRING'
          : 'check DATABASE_URL'),
      { cause: error },
    );
  }
  return store;
}

@Global()
@Module({
  providers: [{ provide: EVENT_STORE, inject: [APP_CONFIG, PG_POOL], useFactory: openEventStore }],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
