import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConfigModule, type AppConfig } from '@credits/config';
import { EventStoreModule } from '@credits/event-store';
import { KafkaModule } from '@credits/kafka';
import { PostgresModule } from '@credits/postgres';
import { loggingModule } from '@credits/runtime';
import { AccountsController } from './accounts/accounts.controller';
import { BalanceService } from './accounts/balance.service';
import { liveCatalogProvider } from '@credits/ledger';
import { GenerationsController } from './accounts/generations.controller';
import { UsageController } from './usage/usage.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { WhoAmIController } from './auth/whoami.controller';
import { AdmissionGate } from './http/admission';
import { admissionProviders } from './http/admission.providers';
import { EventsController } from './events/events.controller';
import { RevenueController } from './finance/revenue.controller';
import { HealthModule } from './health/health.module';
import { NoopController } from './http/noop.controller';
import { DecisionWaiter } from './kafka/decision-waiter';
import { InputEventsPublisher } from './kafka/input-events.publisher';
import { MetricsController } from './metrics/metrics.controller';
import { OpsController } from './ops/ops.controller';
import { QuotaMetrics } from './metrics/quota-metrics';
import { ReadModelsService } from './read-models/read-models.service';

@Module({})
export class QuotaServiceModule {
  static create(config: AppConfig): DynamicModule {
    return {
      module: QuotaServiceModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule('quota-service', config),
        PostgresModule,
        KafkaModule.forRoot('quota-service'),
        EventStoreModule,
        HealthModule,
      ],
      controllers: [
        AccountsController,
        GenerationsController,
        UsageController,
        EventsController,
        RevenueController,
        OpsController,
        WhoAmIController,
        MetricsController,
        // Only for npm run bench:quota, which asks for it: never part of the API.
        ...(config.quota.baselineRoute ? [NoopController] : []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        ...admissionProviders,
        QuotaMetrics,
        liveCatalogProvider,
        BalanceService,
        InputEventsPublisher,
        DecisionWaiter,
        ReadModelsService,
      ],
      exports: [QuotaMetrics, AdmissionGate],
    };
  }
}
