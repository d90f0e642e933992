import { ValidateBy, type ValidationError, type ValidationOptions } from 'class-validator';
import { INSTANT_RULE, strictInstantMillis } from '@credits/domain/instants';

/** The class-validator constraint name of every time field: how a time problem is recognised. */
export const IS_INSTANT = 'isInstant';

/**
 * A time field of the contract: one rule (`strictInstantMillis`) for wire events, HTTP bodies and
 * query parameters alike.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_INSTANT,
      validator: {
        validate: (value: unknown) => strictInstantMillis(value) !== undefined,
        defaultMessage: (args) => `${args?.property ?? 'the time'} ${INSTANT_RULE}`,
      },
    },
    options,
  );
}

/** Whether every problem found is a time field's (and there is at least one). */
export function onlyTimeProblems(errors: readonly ValidationError[]): boolean {
  const own = (error: ValidationError): boolean =>
    Object.keys(error.constraints ?? {}).every((name) => name === IS_INSTANT) &&
    (error.children ?? []).every(own);
  return errors.length > 0 && errors.every(own);
}
