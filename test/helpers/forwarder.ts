/**
 * A loopback HTTP server that forwards every request to another one, byte for byte (headers
 * included, so SigV4 signatures still verify), and counts what it forwarded. Tests give it as a
 * per-service endpoint to see on the wire which requests a client sent where.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Forwarder {
  url: string;
  port: number;
  /** Requests forwarded so far. */
  count(): number;
  close(): Promise<void>;
}

export async function startForwarder(target: string): Promise<Forwarder> {
  const to = new URL(target);
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const out = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    count: () => count,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
