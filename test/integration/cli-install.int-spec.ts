import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** The README's install: after `npm run build`, `npm install -g .` gives a `credits` command. */
describe('credits, installed as a command', () => {
  const prefix = mkdtempSync(path.join(tmpdir(), 'credits-global-'));
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  it('given npm install -g ., when credits runs from another directory, then it answers', async () => {
    await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '.'], {
      cwd: root,
    });
    const credits = path.join(prefix, 'bin', 'credits');
    const help = await run(credits, ['--help'], { cwd: prefix });
    expect(help.stdout).toContain('Usage: credits');

    const keys = path.join(prefix, 'keys', 'api-keys.env');
    await run(credits, ['keys', 'init', '--file', keys], { cwd: prefix });
    expect(existsSync(keys)).toBe(true);
    expect(readFileSync(keys, 'utf8')).toMatch(/^API_KEYS=worker:[0-9a-f]{64}:worker-1,/m);
  });
});
