import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { EventStoreHealthIndicator } from './event-store.health';
import { KafkaHealthIndicator } from './kafka.health';
import { PostgresHealthIndicator } from './postgres.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [KafkaHealthIndicator, PostgresHealthIndicator, EventStoreHealthIndicator],
})
export class HealthModule {}
