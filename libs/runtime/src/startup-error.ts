/**
 * A dependency the process cannot start without (a broker, a database, a port) is missing or
 * wrong. The message is one line that names the problem and the fix.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
