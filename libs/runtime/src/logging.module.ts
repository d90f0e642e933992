import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@credits/config';

/** Structured JSON logs (pino) for a Nest process, HTTP requests included where there are any. */
export function loggingModule(processName: string, config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      name: processName,
      level: config.logLevel,
      base: { process: processName },
      autoLogging: { ignore: (request) => request.url === '/health' || request.url === '/metrics' },
    },
  });
}
