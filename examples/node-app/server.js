'use strict';

// A tiny JSON-over-HTTP service with no dependencies beyond Node's standard library.
const http = require('node:http');
const os = require('node:os');

const port = Number(process.env.PORT || 3000);

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok\n');
    return;
  }
  if (req.method === 'GET' && req.url === '/') {
    const body = {
      service: 'node-app',
      node: process.version,
      uid: process.getuid(),
      hostname: os.hostname(),
    };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
    return;
  }
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end('{"error":"not found"}\n');
});

server.listen(port, '0.0.0.0', () => {
  console.log(`node-app listening on :${port}`);
});

// Node as PID 1 gets no default SIGTERM handling: close the server ourselves.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
  });
}
