import { InvalidArgumentError, Option } from 'commander';
import { INSTANT_RULE, strictInstantMillis } from '@credits/domain/instants';
import { FORMATS } from '../output';

export function instantArgument(value: string): string {
  if (strictInstantMillis(value) === undefined)
    throw new InvalidArgumentError(`the time ${INSTANT_RULE}`);
  return value;
}

export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices([...FORMATS]).default('table');
}
