/** A local HTTP receiver the AS2 tests start: records every POST, answers as `answer` says. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: [string, string][];
  body: Buffer;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status, headers and body of the next answers (default 200, empty). */
  answer: (r: Received) => { status: number; headers?: [string, string][]; body?: Buffer };
  close: () => Promise<void>;
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startReceiver(): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    received: [],
    answer: () => ({ status: 200 }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const got: Received = { path: req.url ?? '/', headers, body };
      r.received.push(got);
      const a = r.answer(got);
      for (const [n, v] of a.headers ?? []) res.setHeader(n, v);
      res.statusCode = a.status;
      res.end(a.body ?? Buffer.alloc(0));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  r.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
