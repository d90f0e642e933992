import type { Provider } from '@nestjs/common';
import { APP_CONFIG, creditRulesOf, type AppConfig } from '@credits/config';
import { accountDecider } from '@credits/domain';

export const ACCOUNT_DECIDER = Symbol('ACCOUNT_DECIDER');

/** The credit rules with this deployment's hold timeout. */
export const accountDeciderProvider: Provider = {
  provide: ACCOUNT_DECIDER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    accountDecider(creditRulesOf(config), { assertInvariants: config.credits.assertInvariants }),
};
