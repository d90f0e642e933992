import {
  ClaimConflictError,
  EventStoreFullError,
  EventStoreUnavailableError,
  InvalidAppendError,
} from '@credits/event-store';
import { writeFailureOf } from './write-failures';

describe('what a failed write of a chunk means', () => {
  it.each([
    ['another writer first', new ClaimConflictError('s', 'c'), 'conflict'],
    ['the store away', new EventStoreUnavailableError('gone'), 'unavailable'],
    ['data the store refused', new InvalidAppendError('bad'), 'refused_data'],
    ['a bug of this process', new TypeError('x is undefined'), 'unknown'],
  ])('given %s, then %s', (_, error, failure) => {
    expect(writeFailureOf(error)).toBe(failure);
  });

  it('given PostgreSQL out of disk space, in the event store (translated) or in the due index beside it (a pg error), then store_full: waited out, and named', () => {
    const pg = Object.assign(new Error('could not extend file: No space left on device'), {
      code: '53100',
    });
    expect(writeFailureOf(new EventStoreFullError('PostgreSQL is out of disk space'))).toBe(
      'store_full',
    );
    expect(writeFailureOf(pg)).toBe('store_full');
  });
});
