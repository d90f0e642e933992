import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('the quota client’s types', () => {
  it('given docs/openapi.json, then schema.ts is what openapi-typescript makes of it', () => {
    const generated = execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), 'docs/openapi.json'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // On a difference: `npm run openapi` makes both files anew from the running service.
    expect(readFileSync(path.join(root, 'libs/quota-client/src/schema.ts'), 'utf8')).toBe(
      generated,
    );
  });
});
