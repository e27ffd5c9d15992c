/**
 * The one way the gateway makes an HTTP request to an address a partner configured (document
 * deliveries, approval webhooks): node:http/https, which never follows a redirect (a 3xx is answered
 * to the caller as it is, with its Location), and a DNS lookup that checks every address a host name
 * resolves to before the socket connects, so a name that resolves (or later re-resolves: DNS
 * rebinding) to a refused address is refused at connect time, not only when the URL is read.
 *
 * Always refused: link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10,
 * fd00:ec2::254, and the same IPv4 addresses written as IPv4-mapped or NAT64 IPv6). With
 * OUTBOUND_DENY_PRIVATE=1 also loopback, "this host" (0.0.0.0/8), private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), shared (100.64/10) and multicast ranges; off by default, so a buyer endpoint
 * on the local network or on this machine keeps working.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const ALWAYS = new BlockList();
ALWAYS.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS.addSubnet('fe80::', 10, 'ipv6');
ALWAYS.addAddress('fd00:ec2::254', 'ipv6');
// NAT64 (RFC 6052) of 169.254.0.0/16; IPv4-mapped forms (::ffff:a.b.c.d) are matched by BlockList.
ALWAYS.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6');

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('ff00::', 8, 'ipv6');

/** Why an address may not be called, or null when it may. */
export function refusedAddress(address: string, denyPrivate: boolean): string | null {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS.check(address, type)) return `${address} is a link-local or cloud metadata address`;
  if (denyPrivate && PRIVATE.check(address, type))
    return `${address} is a loopback or private address (OUTBOUND_DENY_PRIVATE=1)`;
  return null;
}

export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

/** dns.lookup that fails when any address of the name is refused (all forms node may ask for). */
function guardedLookup(denyPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      for (const a of addresses) {
        const why = refusedAddress(a.address, denyPrivate);
        if (why) return callback(new OutboundRefusedError(`${hostname}: ${why}`), '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new OutboundRefusedError(`${hostname}: no address`), '', 4);
      callback(null, first.address, first.family);
    });
  };
}

export interface OutboundResponse {
  status: number;
  contentType: string;
  /** Location of a 3xx (not followed). */
  location: string | null;
  /** At most `maxBodyBytes` of the answer. */
  body: string;
  /** The same bytes, undecoded (an AS2 MDN is read byte for byte). */
  bytes: Buffer;
  /** The answer's header fields (node's lower-cased record). */
  headers: Record<string, string | string[] | undefined>;
}

export interface OutboundOptions {
  headers: Record<string, string>;
  body: Buffer | string;
  timeoutMs: number;
  denyPrivate: boolean;
  maxBodyBytes?: number;
}

/**
 * POSTs `body` to `url` and resolves with the answer, whatever its status; rejects on a refused
 * address (OutboundRefusedError), a network error or the timeout. Never follows a redirect.
 */
export function postOutbound(url: string, opts: OutboundOptions): Promise<OutboundResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new OutboundRefusedError(`not a URL: ${url}`));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new OutboundRefusedError(`only http and https URLs are called: ${url}`));
  // An IP literal connects without a lookup: check it here (the URL parser has already normalised
  // decimal, hex and IPv4-mapped forms).
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = refusedAddress(host, opts.denyPrivate);
    if (why) return Promise.reject(new OutboundRefusedError(why));
  }
  const maxBody = opts.maxBodyBytes ?? 64 * 1024;
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      target,
      {
        method: 'POST',
        headers: { ...opts.headers, 'Content-Length': String(body.length) },
        lookup: guardedLookup(opts.denyPrivate),
        // No shared agent: a kept-alive socket to a name would skip the lookup of the next request.
        agent: false,
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= maxBody) return;
          chunks.push(chunk.subarray(0, maxBody - size));
          size += Math.min(chunk.length, maxBody - size);
          if (size >= maxBody) res.destroy();
        });
        const done = () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            location: res.headers.location ?? null,
            body: bytes.toString('utf8'),
            bytes,
            headers: res.headers,
          });
        };
        res.on('end', done);
        res.on('close', () =>
          size >= maxBody ? done() : reject(new Error('the connection closed before the answer ended')),
        );
        res.on('error', (err) => (size >= maxBody ? done() : reject(err)));
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
