import { createServer, type ServerResponse, type Server } from 'node:http';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { StartupError } from '@credits/runtime';
import { ConsumerHealth, type Verdict } from './consumer-health';
import { ProjectorMetrics } from './projector-metrics';

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * The projector has no business API; this serves what operators and orchestrators ask of it:
 * `/metrics` for Prometheus, `/health` (liveness: the process and its consumer loop are alive)
 * and `/ready` (in the group, owning partitions, each making progress or without lag).
 */
@Injectable()
export class OpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(
    private readonly metrics: ProjectorMetrics,
    private readonly health: ConsumerHealth,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path === '/health') return this.verdict(response, this.health.liveness());
      if (path === '/ready') return this.verdict(response, this.health.readiness());
      if (path !== '/metrics')
        return sendJson(response, 404, {
          error: 'not_found',
          details: ['served here: /metrics, /health, /ready'],
        });
      this.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          response.end(text);
        },
        (error: Error) =>
          sendJson(response, 500, { error: 'metrics_failed', details: [error.message] }),
      );
    });
    const { host } = this.config.http;
    const port = this.config.projector.metricsPort;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new StartupError(
                `port ${port} on ${host} is taken: set PROJECTOR_METRICS_PORT to a free port`,
              )
            : error,
        ),
      );
      server.listen(port, host, resolve);
    });
    this.server = server;
  }

  private verdict(response: ServerResponse, verdict: Verdict): void {
    const partitions = this.health.responsibleFor().map((partition) => ({
      topic: partition.topic,
      partition: partition.partition,
      committed: partition.committed?.toString() ?? null,
      end: partition.end?.toString() ?? null,
      lag: partition.lag,
      secondsSinceProgress: Math.round(partition.sinceProgressMs / 100) / 10,
      stalled: partition.stalled,
    }));
    const status = verdict.ok ? 'ok' : 'failing';
    sendJson(response, verdict.ok ? 200 : 503, { status, problems: verdict.problems, partitions });
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
