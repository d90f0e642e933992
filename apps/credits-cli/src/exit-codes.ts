/** What `credits` exits with; scripts branch on these (README, "Finance and ops tooling"). */
export const ExitCode = {
  ok: 0,
  /** A store, broker or file could not be used. */
  failed: 1,
  /** The arguments or the configuration are wrong. */
  badArguments: 2,
  /** `reconcile` found differences. */
  differences: 3,
  /** `status` found a partition or a read model behind and not moving. */
  stalled: 3,
} as const;

/** A failure the user can fix, told in one line. */
export class UsageError extends Error {}
