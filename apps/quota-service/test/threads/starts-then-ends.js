// Says it started, then ends with an error code a moment later, as a crashed thread would.
const { setTimeout } = require('node:timers');
const { parentPort } = require('node:worker_threads');

parentPort.postMessage({ kind: 'started' });
setTimeout(() => process.exit(3), 20);
