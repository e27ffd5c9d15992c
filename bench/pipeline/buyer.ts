/**
 * The buyer endpoint of `npm run bench pipeline`, a process of its own: takes every cXML POST with
 * 200 and notes when each ConfirmationRequest (by orderID) and InvoiceDetailRequest (by invoiceID)
 * first arrived. `GET /wait?key=c:ORDER|i:INVOICE` answers once that document is here (the load
 * process waits on it to close its loop), `GET /stats` counts. Prints `{"port":N}` when listening.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const arrived = new Map<string, number>();
const waiters = new Map<string, ServerResponse[]>();
let posts = 0;
let duplicates = 0;
const OK =
  '<?xml version="1.0"?><cXML payloadID="ok@buyer" timestamp="2026-11-23T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>';

function keyOf(body: string): string | undefined {
  if (body.includes('<ConfirmationRequest')) {
    const m = /<OrderReference[^>]*\sorderID="([^"]+)"/.exec(body);
    return m ? `c:${m[1]}` : undefined;
  }
  if (body.includes('<InvoiceDetailRequest')) {
    const m = /<InvoiceDetailRequestHeader[^>]*\sinvoiceID="([^"]+)"/.exec(body);
    return m ? `i:${m[1]}` : undefined;
  }
  return undefined;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://buyer');
  if (req.method === 'GET' && url.pathname === '/wait') {
    const key = url.searchParams.get('key') ?? '';
    const at = arrived.get(key);
    if (at !== undefined) {
      res.writeHead(200).end(String(at));
      return;
    }
    waiters.set(key, [...(waiters.get(key) ?? []), res]);
    const ms = Number(url.searchParams.get('timeout') ?? 120000);
    const t = setTimeout(() => {
      waiters.set(
        key,
        (waiters.get(key) ?? []).filter((w) => w !== res),
      );
      if (!res.writableEnded) res.writeHead(504).end('not arrived');
    }, ms);
    res.on('close', () => clearTimeout(t));
    return;
  }
  if (req.method === 'GET' && url.pathname === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ posts, documents: arrived.size, duplicates }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    posts++;
    const key = keyOf(Buffer.concat(chunks).toString('utf8'));
    if (key !== undefined) {
      if (arrived.has(key)) duplicates++;
      else {
        const at = Date.now();
        arrived.set(key, at);
        for (const w of waiters.get(key) ?? []) if (!w.writableEnded) w.writeHead(200).end(String(at));
        waiters.delete(key);
      }
    }
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(OK);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
