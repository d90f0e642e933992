import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka.health';
import { PostgresHealthIndicator } from './postgres.health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly postgres: PostgresHealthIndicator,
  ) {}

  /** 200 when every dependency answers; 503 with the failing ones named under `error`. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.kafka.check('kafka'),
      () => this.postgres.check('postgres'),
    ]);
  }
}
