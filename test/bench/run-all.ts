import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** `npm run bench`: every benchmark of the project, one after the other, each in its own process. */
const BENCHMARKS = [
  'domain-fold.bench.js',
  'store-append.bench.js',
  'pipeline.bench.js',
  'quota.bench.js',
  'cold-load.bench.js',
  'dashboard.bench.js',
];

console.log(`benchmarks on Node.js ${process.version}, each in a process of its own`);
for (const file of BENCHMARKS) {
  execFileSync(process.execPath, [path.join(__dirname, file)], { stdio: 'inherit' });
}
console.log('results: test/bench/results.json');
