import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import madge from 'madge';

const ROOT = path.resolve(__dirname, '../..');

function sourcesUnder(directory: string): string[] {
  return readdirSync(path.join(ROOT, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(directory, file));
}

describe('the layout', () => {
  it('has no import cycles in the apps, the libraries or the tests', async () => {
    const graph = await madge(
      ['apps', 'libs', 'test'].map((dir) => path.join(ROOT, dir)),
      {
        baseDir: ROOT,
        fileExtensions: ['ts'],
        tsConfig: path.join(ROOT, 'tsconfig.json'),
        detectiveOptions: { ts: { skipTypeImports: false } },
      },
    );
    expect(graph.circular()).toEqual([]);
  }, 120_000);

  it('keeps no mutable state at module level in the credit rules library', () => {
    // A top-level `let` or `var`, or a top-level collection, is state every caller shares.
    const moduleState =
      /^(?:export\s+)?(?:let|var)\s|^(?:export\s+)?const\s+\w+(?::[^=]+)?=\s*new\s+(?:Map|Set|WeakMap|WeakSet|Array)\b/m;
    const offenders = sourcesUnder('libs/credit-domain/src').filter((file) =>
      moduleState.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
