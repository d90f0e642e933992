import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@credits/config';

/**
 * Structured JSON logs (pino) for a Nest process. No per-request middleware: pino-http's cost a
 * third of an empty route's time and wrote every request's headers, the API key with them. A
 * service that answers HTTP logs each answer itself (the quota service's access-log hook).
 */
export function loggingModule(processName: string, config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: { name: processName, level: config.logLevel, base: { process: processName } },
    forRoutes: [],
  });
}
