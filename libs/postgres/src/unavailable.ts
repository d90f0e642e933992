const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, and class 08.
const SERVER_GONE = /^(57P0[123]|53300|08...)$/;

/**
 * Whether a pg error says the server has no disk space left to write (disk_full: a data file or
 * tablespace that cannot grow). A full WAL is not this: the server stops, and is unavailable.
 */
export function isOutOfDiskSpace(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '53100';
}

/**
 * Whether a pg error says the server is away (down, restarting, its connection terminated or
 * refused) rather than anything about the statement: worth trying again later.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GONE.test(code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    typeof message === 'string' ? message : '',
  );
}
