import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { AdmissionGate, EventLoopDelay } from './admission';

/** The admission gate of the process (the middleware and the generations route share it). */
export const admissionProviders: Provider[] = [
  { provide: EventLoopDelay, useFactory: () => new EventLoopDelay() },
  {
    provide: AdmissionGate,
    inject: [APP_CONFIG, EventLoopDelay],
    useFactory: (config: AppConfig, loopDelay: EventLoopDelay) =>
      new AdmissionGate(
        {
          maxInFlight: config.quota.maxInFlight,
          maxWaiting: config.quota.maxWaitingGenerations,
          maxEventLoopDelayMs: config.quota.maxEventLoopDelayMs,
        },
        () => loopDelay.ms,
      ),
  },
];
