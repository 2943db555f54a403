// The overhead benchmark's server, run as a child process (see `loopback.ts` for why): answers
// every request at once with a small SimplyBook-style JSON-RPC success, over keep-alive.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(
  JSON.stringify({
    result: { '1': { id: '1', name: 'Haircut', duration: '60', is_active: '1' } },
    id: 1,
    jsonrpc: '2.0',
  }),
);

const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(body.byteLength),
    });
    res.end(body);
  });
});
// Longer than any pause between runs, so clients keep their connections.
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ port });
});
// The parent went away (or closed the channel): stop.
process.once('disconnect', () => {
  server.close();
  process.exit(0);
});
