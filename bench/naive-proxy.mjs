// A floor for comparison, not a product: the least a node:http reverse proxy does (round
// robin, a keep-alive agent, the same X-Forwarded-* headers; no timeouts, retries, health
// or metrics). What Docker Symphony costs above it is what its features cost; what this
// costs above nginx is what node:http on both sides costs. Plain JavaScript, so it runs
// on bare node (no loader in its memory or its start-up).
//   node bench/naive-proxy.mjs LISTEN_PORT UPSTREAM_PORT...   (listens on 127.0.0.1)
// @ts-check
import http from 'node:http';

const [listenPort, ...ports] = process.argv.slice(2).map(Number);
if (listenPort === undefined || ports.length === 0 || ![listenPort, ...ports].every(Number.isInteger)) {
  throw new Error('usage: node bench/naive-proxy.mjs LISTEN_PORT UPSTREAM_PORT...');
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
// Hop-by-hop: each side's connection is its own.
const HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];
let next = 0;

const server = http.createServer((req, res) => {
  const headers = { ...req.headers };
  for (const h of HOP) delete headers[h];
  if (req.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = req.headers['transfer-encoding'];
  const from = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = req.headers['x-forwarded-for'] === undefined ? from : `${String(req.headers['x-forwarded-for'])}, ${from}`;
  headers['x-forwarded-proto'] = 'http';
  if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
  const port = ports[next++ % ports.length];
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (answer) => {
    const out = { ...answer.headers };
    for (const h of HOP) delete out[h];
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.listen(listenPort, '127.0.0.1', () => console.log(`naive proxy on 127.0.0.1:${listenPort}`));
process.on('SIGTERM', () => process.exit(0));
