import { createServer } from 'node:http';

/**
 * The quota bench's floor: a Node HTTP server that reads the body and answers, no framework and
 * no I/O, in a process of its own like the service. Its latency under the same load is what this
 * machine allows any Node service while the pipeline shares its cores.
 */
const port = Number(process.argv[2]);
createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
}).listen(port, '127.0.0.1', () => console.log(`bare-http-server: listening on ${port}`));
