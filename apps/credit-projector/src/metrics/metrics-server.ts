import { createServer, type Server } from 'node:http';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { StartupError } from '@credits/runtime';
import { ProjectorMetrics } from './projector-metrics';

/** The projector has no HTTP API; this serves its /metrics for Prometheus to scrape. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(
    private readonly metrics: ProjectorMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: 'not_found', details: ['only /metrics is served here'] }),
        );
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          response.end(text);
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: 'metrics_failed', details: [error.message] }));
        },
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

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
