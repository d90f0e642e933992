import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PinoLogger } from 'nestjs-pino';
import { loadConfig } from '@credits/config';
import { AppLogger, exitIfStopTakesLongerThan, runMain, StartupError } from '@credits/runtime';
import { accessLog } from './http/access-log';
import { admission, AdmissionGate } from './http/admission';
import { ErrorBodyFilter, frameworkErrorAnswer } from './http/error-body.filter';
import { validationPipe } from './http/validation';
import { QuotaMetrics } from './metrics/quota-metrics';
import { requestTimer } from './metrics/request-timer';
import { QuotaServiceModule } from './quota-service.module';
import { serveDashboard } from './http/dashboard';

/** Far above any request this API takes; a bigger body is refused before it is parsed. */
const BODY_LIMIT_BYTES = 64 * 1024;

runMain('quota-service', async () => {
  const config = loadConfig();
  // Fastify, not Express: an empty Nest route answers about twice as many requests on it
  // (docs/performance.md), and the AI workers wait on these answers.
  const app = await NestFactory.create<NestFastifyApplication>(
    QuotaServiceModule.create(config),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // Past 128 characters, the routes' own validation says which id is too long and why.
      routerOptions: { maxParamLength: 512 },
      frameworkErrors: frameworkErrorAnswer,
    }),
    {
      // Nest's own console logger would print start-up failures with a stack; runMain prints
      // them as one line instead, and pino takes over once the app exists.
      logger: false,
      abortOnError: false,
      // Fastify's own JSON parser (it refuses `__proto__` keys) and no other: any other body
      // is a 415 that says to send JSON.
      bodyParser: false,
    },
  );
  app.useLogger(app.get(AppLogger));
  const metrics = app.get(QuotaMetrics);
  const gate = app.get(AdmissionGate);
  metrics.countInFlight(
    () => gate.requestsInFlight,
    () => gate.requestsWaiting,
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  // First, before the body is read: a refused request should cost next to nothing.
  fastify.addHook(
    'onRequest',
    admission(gate, (reason) => metrics.shedRequests.inc({ reason })),
  );
  const logger = await app.resolve(PinoLogger);
  fastify.addHook('onResponse', requestTimer(metrics));
  fastify.addHook('onResponse', accessLog(logger));
  app.useGlobalFilters(new ErrorBodyFilter(logger));
  app.useGlobalPipes(validationPipe());
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
    app.get(AppLogger).log(message, 'quota-service'),
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
