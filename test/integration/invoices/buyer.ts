import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  body: string;
  payloadId: string | null;
}

/** A local buyer endpoint; `answer` decides each response (default: a cXML 200 Response). */
export async function startBuyer(
  answer?: (req: Received, n: number, res: ServerResponse) => void | Promise<void>,
): Promise<{ url: string; received: Received[]; close: () => Promise<void>; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = { body, payloadId: /<cXML[^>]*payloadID="([^"]+)"/.exec(body)?.[1] ?? null };
      received.push(r);
      const n = received.length;
      void Promise.resolve(answer ? answer(r, n, res) : ok(res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cxml`,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function ok(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/xml' });
  res.end(
    '<?xml version="1.0"?><cXML payloadID="r@buyer" timestamp="2026-11-23T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>',
  );
}
