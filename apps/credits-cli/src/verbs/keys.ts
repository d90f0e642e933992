import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { API_ROLES } from '@credits/config';

/**
 * Makes one key per role for the quota service and writes them, with the API_KEYS line of their
 * hashes, to a file only its owner can read. An existing file is kept: keys survive restarts.
 */
export function initKeys(file: string): { file: string; created: boolean } {
  if (existsSync(file)) return { file, created: false };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Each key's id (`<role>-1`) is what the ledger records as who asked (publishedby).
  const keys = API_ROLES.map((role) => ({ role, key: randomBytes(24).toString('base64url') }));
  const hashes = keys.map(
    ({ role, key }) => `${role}:${createHash('sha256').update(key).digest('hex')}:${role}-1`,
  );
  writeFileSync(
    file,
    [
      `# Quota-service API keys made by npm start on ${new Date().toISOString()}. Keep this file private.`,
      '# Send one as: Authorization: Bearer <key>',
      ...keys.map(({ role, key }) => `# ${role} (id ${role}-1): ${key}`),
      `API_KEYS=${hashes.join(',')}`,
      '',
    ].join('\n'),
    { mode: 0o600, flag: 'wx' },
  );
  return { file, created: true };
}
