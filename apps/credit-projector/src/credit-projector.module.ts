import { Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@credits/config';
import { EVENT_STORE, EventStoreModule, type EventStore } from '@credits/event-store';
import { KafkaModule } from '@credits/kafka';
import { PostgresModule } from '@credits/postgres';
import { loggingModule } from '@credits/runtime';
import { AccountStates } from './ledger/account-states';
import { MetricsServer } from './metrics/metrics-server';
import { ProjectorMetrics } from './metrics/projector-metrics';
import { accountDeciderProvider } from './projector/account-decider.provider';
import { ChunkProcessor } from './projector/chunk-processor';
import { EditorEventsConsumer } from './projector/editor-events.consumer';
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
        accountDeciderProvider,
        {
          provide: AccountStates,
          inject: [EVENT_STORE, APP_CONFIG],
          useFactory: (store: EventStore, appConfig: AppConfig) =>
            new AccountStates(store, appConfig.projector.cachedAccounts),
        },
        ProjectorMetrics,
        MetricsServer,
        DueAccounts,
        ChunkProcessor,
        { provide: ParsingThread, useFactory: () => new ParsingThread() },
        ProjectorProducer,
        EditorEventsConsumer,
        ExpirySweeper,
      ],
    };
  }
}
