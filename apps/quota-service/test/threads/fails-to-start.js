// Reports a start-up failure, as the read-models thread does when PostgreSQL cannot be reached,
// and keeps running, as a thread would with a pool it opened before the failure.
const { setInterval } = require('node:timers');
const { parentPort } = require('node:worker_threads');

parentPort.postMessage({ kind: 'failed', problems: ['PostgreSQL at nowhere:5432 cannot be used'] });
setInterval(() => parentPort.postMessage({ kind: 'still-running' }), 10);
