// Reports a start-up failure, as the read-models thread does when PostgreSQL cannot be reached.
const { parentPort } = require('node:worker_threads');

parentPort.postMessage({ kind: 'failed', problems: ['PostgreSQL at nowhere:5432 cannot be used'] });
