import { Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@credits/config';
import { EVENT_STORE, EventStoreModule, type EventStore } from '@credits/event-store';
import { KafkaModule } from '@credits/kafka';
import { PostgresModule } from '@credits/postgres';
import { loggingModule } from '@credits/runtime';
import type { AccountDecider } from '@credits/domain';
import { AccountSnapshots } from './ledger/account-snapshots';
import { AccountStates } from './ledger/account-states';
import { NotificationRelay } from './notifications/notification-relay';
import { ConsumerHealth } from './observability/consumer-health';
import { LagMonitor } from './observability/lag-monitor';
import { OpsServer } from './observability/ops-server';
import { ProjectorMetrics } from './observability/projector-metrics';
import { liveCatalogProvider } from '@credits/ledger';
import { ACCOUNT_DECIDER, accountDeciderProvider } from './projector/account-decider.provider';
import { ChunkPath } from './projector/chunk-path';
import { EditorEventsConsumer } from './projector/editor-events.consumer';
import { AmbiguousCommits } from './faults/ambiguous-commits';
import { CrashPoints } from './faults/crash-points';
import { ledgerWriterProvider, ProjectorWriterHooks } from './projector/ledger-writer.provider';
import { ParsingThread } from './projector/parsing/parsing-thread';
import { ProjectorProducer } from './projector/projector-producer';
import { DueAccounts } from './sweeper/due-accounts';
import { ExpirySweeper } from './sweeper/expiry-sweeper';

@Module({})
export class CreditProjectorModule {
  static create(config: AppConfig): DynamicModule {
    return {
      module: CreditProjectorModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule('credit-projector', config),
        PostgresModule,
        KafkaModule.forRoot('credit-projector'),
        EventStoreModule,
      ],
      providers: [
        liveCatalogProvider,
        accountDeciderProvider,
        AccountSnapshots,
        {
          provide: AccountStates,
          inject: [EVENT_STORE, ACCOUNT_DECIDER, APP_CONFIG, AccountSnapshots, ProjectorMetrics],
          useFactory: (
            store: EventStore,
            decider: AccountDecider,
            appConfig: AppConfig,
            snapshots: AccountSnapshots,
            metrics: ProjectorMetrics,
          ) =>
            new AccountStates(store, decider, appConfig.projector.cachedAccounts, snapshots, {
              loaded: (from, eventsFolded) => {
                metrics.accountLoads.inc({ from });
                metrics.eventsFoldedOnLoad.inc(eventsFolded);
              },
            }),
        },
        {
          provide: ConsumerHealth,
          inject: [APP_CONFIG],
          useFactory: (appConfig: AppConfig) =>
            new ConsumerHealth({
              stallAfterMs: appConfig.projector.stallAfterMs,
              // Fetches come at least every second and heartbeats every tenth of the session
              // timeout, also while a chunk waits for the store: silence this long is a wedge.
              loopSilenceMs: appConfig.projector.sessionTimeoutMs,
            }),
        },
        ProjectorMetrics,
        LagMonitor,
        OpsServer,
        DueAccounts,
        ProjectorWriterHooks,
        CrashPoints,
        AmbiguousCommits,
        ledgerWriterProvider,
        ChunkPath,
        { provide: ParsingThread, useFactory: () => new ParsingThread() },
        ProjectorProducer,
        EditorEventsConsumer,
        ExpirySweeper,
        NotificationRelay,
      ],
    };
  }
}
