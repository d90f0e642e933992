import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@credits/config';
import { KafkaModule } from '@credits/kafka';
import { PostgresModule } from '@credits/postgres';
import { loggingModule } from '@credits/runtime';

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
      ],
    };
  }
}
