import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@credits/config';
import { AppLogger, exitIfStopTakesLongerThan, runMain } from '@credits/runtime';
import { CreditProjectorModule } from './credit-projector.module';

runMain('credit-projector', async () => {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(CreditProjectorModule.create(config), {
    // Nest's own console logger would print start-up failures with a stack; runMain prints them
    // as one line instead, and pino takes over once the app exists.
    logger: false,
    abortOnError: false,
  });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  exitIfStopTakesLongerThan(config.shutdownTimeoutMs, (message) =>
    logger.log(message, 'credit-projector'),
  );
  await app.init();
  console.log(
    `credit-projector: consuming ${config.kafka.topicPrefix}editor-events from Kafka ` +
      `${config.kafka.brokers.join(',')} into the ${config.eventStore.adapter} event store; ` +
      `metrics on http://${config.http.host}:${config.projector.metricsPort}/metrics`,
  );
});
