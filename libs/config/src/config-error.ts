/**
 * A setting the process cannot start with. Each problem is one line that names the variable,
 * what was wrong with it and how to fix it, so an operator never has to read a stack trace.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
