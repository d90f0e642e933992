import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger, PinoLogger } from 'nestjs-pino';
import { loadConfig } from '@credits/config';
import { exitIfStopTakesLongerThan, runMain, StartupError } from '@credits/runtime';
import { admission, AdmissionGate } from './http/admission';
import { ErrorBodyFilter } from './http/error-body.filter';
import { validationPipe } from './http/validation';
import { QuotaMetrics } from './metrics/quota-metrics';
import { requestTimer } from './metrics/request-timer';
import { QuotaServiceModule } from './quota-service.module';
import { serveDashboard } from './http/dashboard';

/** Far above any request this API takes; a bigger body is refused before it is parsed. */
const BODY_LIMIT = '64kb';

runMain('quota-service', async () => {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(QuotaServiceModule.create(config), {
    // Nest's own console logger would print start-up failures with a stack; runMain prints them
    // as one line instead, and pino takes over once the app exists.
    logger: false,
    abortOnError: false,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const metrics = app.get(QuotaMetrics);
  // First, before the body is read: a refused request should cost next to nothing.
  const gate = app.get(AdmissionGate);
  metrics.countInFlight(
    () => gate.requestsInFlight,
    () => gate.requestsWaiting,
  );
  app.use(admission(gate, (reason) => metrics.shedRequests.inc({ reason })));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(requestTimer(metrics));
  app.useGlobalFilters(new ErrorBodyFilter(await app.resolve(PinoLogger)));
  app.useGlobalPipes(validationPipe());
  app.disable('x-powered-by');
  serveDashboard(app);
  SwaggerModule.setup(
    'docs',
    app,
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Image credits: quota service')
        .setDescription(
          'Balances, authorizations and synchronous generations (../shared/CONTRACT.md)',
        )
        .addBearerAuth()
        .build(),
    ),
  );
  app.enableShutdownHooks();
  exitIfStopTakesLongerThan(config.shutdownTimeoutMs, (message) =>
    app.get(Logger).log(message, 'quota-service'),
  );
  const { host, port } = config.http;
  try {
    await app.listen(port, host);
  } catch (error) {
    await app.close();
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new StartupError(
        `port ${port} on ${host} is taken by another process: stop it or set PORT to a free port`,
      );
    }
    throw error;
  }
  if (config.quota.apiKeys.length === 0)
    console.log(
      'quota-service: API_KEYS is empty: every route but /health, /metrics and /docs answers 401',
    );
  console.log(`quota-service: listening on http://${host}:${port} (API documentation at /docs)`);
});
