import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Logger, LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@credits/config';
import { logDestination, loggerOptions } from './logger';

/**
 * Nest's own start-up lines (each module loaded, each route mapped) tell an operator nothing they
 * act on: they are logged at debug, so a healthy start prints only what matters.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** The logger a Nest app uses (`app.useLogger`): pino's, with Nest's own start-up lines at debug. */
@Injectable()
export class AppLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context))
      this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

@Module({})
class LoggingModule {}

/**
 * Structured logs (pino) for a Nest process, where `logDestination` says. No per-request
 * middleware: pino-http's cost a third of an empty route's time and wrote every request's
 * headers, the API key with them. A service that answers HTTP logs each answer itself (the quota
 * service's access-log hook).
 */
export function loggingModule(processName: string, config: AppConfig): DynamicModule {
  const options = loggerOptions(processName, config.logLevel);
  const destination = logDestination();
  return {
    module: LoggingModule,
    imports: [
      LoggerModule.forRoot({
        pinoHttp: destination === undefined ? options : [options, destination],
        forRoutes: [],
      }),
    ],
    providers: [AppLogger],
    exports: [AppLogger, LoggerModule],
  };
}
