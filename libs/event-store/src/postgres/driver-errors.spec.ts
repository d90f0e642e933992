import {
  EventStoreFullError,
  EventStoreUnavailableError,
  InvalidAppendError,
} from '../port/errors';
import { translatePgError } from './driver-errors';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("the port's errors for PostgreSQL's", () => {
  it('given disk_full (53100), then the store is full, saying so', () => {
    const error = translatePgError(
      pgError('53100', 'could not extend file "pg_tblspc/16385/1/16390": No space left on device'),
    );
    expect(error).toBeInstanceOf(EventStoreFullError);
    expect(error.message).toBe(
      'PostgreSQL is out of disk space: could not extend file "pg_tblspc/16385/1/16390": No space left on device',
    );
  });

  it('given a connection terminated by the administrator, then unavailable; given a value it cannot hold, then refused', () => {
    expect(translatePgError(pgError('57P01', 'terminating connection'))).toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(translatePgError(pgError('22P05', 'unsupported Unicode escape'))).toBeInstanceOf(
      InvalidAppendError,
    );
  });
});
