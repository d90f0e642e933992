// A parsing thread that ends on the first request it gets (id 0) and, after that, answers each
// message with a command naming its id, unchecked: enough to see a failing thread replaced.
const { Buffer } = require('node:buffer');
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (request) => {
  if (request.id === 0) process.exit(3);
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.length);
  let offset = 0;
  const verdicts = request.offsets.map((_, index) => {
    offset += Math.max(0, request.lengths[2 * index]);
    const length = request.lengths[2 * index + 1];
    const event = JSON.parse(bytes.subarray(offset, offset + length).toString('utf8'));
    offset += length;
    return {
      type: event.type,
      accountId: event.subject,
      command: {
        type: 'AcceptEdit',
        at: event.time,
        source: { id: event.id, producer: event.source },
      },
    };
  });
  parentPort.postMessage({ kind: 'verdicts', id: request.id, verdicts });
});
