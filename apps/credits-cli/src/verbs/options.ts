import { InvalidArgumentError, Option } from 'commander';
import { FORMATS } from '../output';

export function instantArgument(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw new InvalidArgumentError('expected an RFC 3339 instant, such as 2026-11-01T00:00:00Z');
  return value;
}

export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices([...FORMATS]).default('table');
}
