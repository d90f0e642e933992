// Runs until told to stop, then says so and ends.
const { clearInterval, setInterval } = require('node:timers');
const { parentPort } = require('node:worker_threads');

const work = setInterval(() => undefined, 1_000);
parentPort.postMessage({ kind: 'started' });
parentPort.once('message', (message) => {
  if (message.kind !== 'stop') return;
  clearInterval(work);
  parentPort.postMessage({ kind: 'stopped' });
  parentPort.close();
});
