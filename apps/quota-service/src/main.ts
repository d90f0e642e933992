import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@credits/config';
import { exitIfStopTakesLongerThan, runMain, StartupError } from '@credits/runtime';
import { QuotaServiceModule } from './quota-service.module';

runMain('quota-service', async () => {
  const config = loadConfig();
  const app = await NestFactory.create(QuotaServiceModule.create(config), {
    // Nest's own console logger would print start-up failures with a stack; runMain prints them
    // as one line instead, and pino takes over once the app exists.
    logger: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
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
  console.log(`quota-service: listening on http://${host}:${port}`);
});
