import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@credits/config';
import { KafkaModule } from '@credits/kafka';
import { PostgresModule } from '@credits/postgres';
import { loggingModule } from '@credits/runtime';
import { HealthModule } from './health/health.module';

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
        HealthModule,
      ],
    };
  }
}
