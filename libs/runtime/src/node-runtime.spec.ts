import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SUPPORTED_NODE_MAJOR, unsupportedNode } from './node-runtime';

const manifest = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'),
) as { engines: { node: string }; devDependencies: Record<string, string> };

describe('the Node.js the project runs on', () => {
  it('is the pinned one: package.json pins and supports the same major, and these tests run on it', () => {
    expect(manifest.devDependencies.node?.split('.')[0]).toBe(String(SUPPORTED_NODE_MAJOR));
    expect(manifest.engines.node).toBe(`>=${SUPPORTED_NODE_MAJOR}.11 <${SUPPORTED_NODE_MAJOR + 1}`);
    // Every process the test harness starts runs on this one (test/harness/processes.ts).
    expect(unsupportedNode(process.version)).toBeUndefined();
  });

  it('names another major, and how to run on the pinned one', () => {
    expect(unsupportedNode('v20.20.2')).toBe(
      `running on Node.js v20.20.2, but this project supports Node.js ${SUPPORTED_NODE_MAJOR} only: ` +
        'start it with npm start (or npm run credits), which run the Node.js it pins',
    );
    expect(unsupportedNode(`v${SUPPORTED_NODE_MAJOR + 1}.0.0`)).toContain('supports Node.js');
  });
});
