import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/access.decorator';
import { EventStoreHealthIndicator } from './event-store.health';
import { KafkaHealthIndicator } from './kafka.health';
import { PostgresHealthIndicator } from './postgres.health';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly postgres: PostgresHealthIndicator,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  /** 200 when every dependency answers; 503 with the failing ones named under `error`. */
  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.kafka.check('kafka'),
      () => this.postgres.check('postgres'),
      () => this.eventStore.check('eventStore'),
    ]);
  }
}
