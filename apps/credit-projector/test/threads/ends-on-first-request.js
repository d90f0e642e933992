// A parsing thread that ends on the first request it gets (id 0) and judges every later
// message valid: enough to see a failing thread replaced.
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (request) => {
  if (request.id === 0) process.exit(3);
  parentPort.postMessage({
    kind: 'verdicts',
    id: request.id,
    rejections: Array.from({ length: request.lengths.length / 2 }, () => null),
  });
});
