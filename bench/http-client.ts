/**
 * The benches' HTTP client: node:http with a keep-alive agent, the lightest client Node has. The
 * clients run in the gateway's own process, so what they cost is taken from the server; a load
 * tool on another machine would cost the server nothing.
 */
import http from 'node:http';

export interface BenchRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets });
}

/** Sends one request; resolves with the status and body text, rejects on a connection error. */
export function send(
  agent: http.Agent,
  port: number,
  r: BenchRequest,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.from(r.body, 'utf8');
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: r.method,
        path: r.path,
        agent,
        headers: body ? { ...r.headers, 'content-length': body.length } : (r.headers ?? {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
