/**
 * ASN.1 for the CMS, X.509 and PKCS#12 structures AS2 uses.
 *
 * Reading goes through asn1js (BER: indefinite lengths and constructed OCTET STRINGs, which
 * `openssl cms -stream` and many AS2 products emit; nesting depth, node count and content length
 * bounded). Writing is DER by a small TLV writer below: CMS output embeds certificates and issuer
 * names that must stay byte-exact, which re-encoding through a parsed asn1js tree does not promise.
 */
import * as asn1js from 'asn1js';

export type Node = asn1js.BaseBlock;

/** Thrown by the readers here; each CMS layer turns it into the As2Error of its own code. */
export class Asn1Error extends Error {
  override readonly name = 'Asn1Error';
}

export interface DerLimits {
  /** Largest input accepted, bytes. */
  maxBytes: number;
}

const UNIVERSAL = 1;
const CONTEXT = 3;

/** Parses one complete BER/DER element; trailing bytes are refused. */
export function parseDer(bytes: Uint8Array, what: string, limits?: DerLimits): Node {
  const max = limits?.maxBytes ?? 64 * 1024 * 1024;
  if (bytes.length > max) throw new Asn1Error(`${what}: ${bytes.length} bytes is over the limit of ${max}`);
  const res = asn1js.fromBER(bytes, {
    maxDepth: 48,
    maxNodes: Math.max(20_000, Math.ceil(bytes.length / 64)),
    maxContentLength: max,
    parseEmbedded: false,
    copyInput: false,
  });
  if (res.offset === -1) throw new Asn1Error(`${what}: not valid BER (${res.result.error || 'parse error'})`);
  if (res.offset !== bytes.length)
    throw new Asn1Error(`${what}: ${bytes.length - res.offset} bytes after the end of the structure`);
  return res.result;
}

export function isContext(node: Node | undefined, tag: number): boolean {
  return node !== undefined && node.idBlock.tagClass === CONTEXT && node.idBlock.tagNumber === tag;
}

function isUniversal(node: Node, tag: number): boolean {
  return node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber === tag;
}

/** Children of a constructed node (SEQUENCE, SET, [n] constructed); end-of-content markers dropped. */
export function children(node: Node, what: string): Node[] {
  if (!node.idBlock.isConstructed) throw new Asn1Error(`${what}: expected a constructed element`);
  const value = (node.valueBlock as unknown as { value?: Node[] }).value ?? [];
  return value.filter((c) => !(c.idBlock.tagClass === UNIVERSAL && c.idBlock.tagNumber === 0));
}

export function sequence(node: Node | undefined, what: string): Node[] {
  if (!node || !isUniversal(node, 16)) throw new Asn1Error(`${what}: expected a SEQUENCE`);
  return children(node, what);
}

export function set(node: Node | undefined, what: string): Node[] {
  if (!node || !isUniversal(node, 17)) throw new Asn1Error(`${what}: expected a SET`);
  return children(node, what);
}

/** The single element inside an EXPLICIT [tag]. */
export function explicit(node: Node | undefined, tag: number, what: string): Node {
  if (!node || !isContext(node, tag)) throw new Asn1Error(`${what}: expected [${tag}]`);
  const c = children(node, what);
  if (c.length !== 1) throw new Asn1Error(`${what}: [${tag}] must hold exactly one element`);
  return c[0]!;
}

export function oid(node: Node | undefined, what: string): string {
  if (!node || !(node instanceof asn1js.ObjectIdentifier)) throw new Asn1Error(`${what}: expected an OID`);
  return node.getValue();
}

/** Content octets of a primitive element, whatever its tag. */
export function primitiveBytes(node: Node, what: string): Buffer {
  if (node.idBlock.isConstructed) throw new Asn1Error(`${what}: expected a primitive element`);
  const view = (node.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView;
  if (!view) throw new Asn1Error(`${what}: no content`);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Content of an OCTET STRING, universal or implicitly tagged, primitive or constructed (BER chunks,
 * nested at most as deep as the parser allows). Primitive content is returned without a copy.
 */
export function octets(node: Node | undefined, what: string): Buffer {
  if (!node) throw new Asn1Error(`${what}: missing OCTET STRING`);
  if (node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber !== 4)
    throw new Asn1Error(`${what}: expected an OCTET STRING`);
  if (!node.idBlock.isConstructed) return primitiveBytes(node, what);
  const parts: Buffer[] = [];
  const walk = (n: Node): void => {
    if (!n.idBlock.isConstructed) {
      parts.push(primitiveBytes(n, what));
      return;
    }
    for (const c of children(n, what)) {
      if (!isUniversal(c, 4))
        throw new Asn1Error(`${what}: a constructed OCTET STRING holds OCTET STRINGs only`);
      walk(c);
    }
  };
  walk(node);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** INTEGER content octets (two's complement, as encoded). */
export function integerBytes(node: Node | undefined, what: string): Buffer {
  if (!node || !isUniversal(node, 2)) throw new Asn1Error(`${what}: expected an INTEGER`);
  return primitiveBytes(node, what);
}

export function smallInt(node: Node | undefined, what: string): number {
  const b = integerBytes(node, what);
  if (b.length > 6) throw new Asn1Error(`${what}: integer too large`);
  let v = 0;
  for (const x of b) v = v * 256 + x;
  if (b.length > 0 && b[0]! & 0x80) v -= 2 ** (8 * b.length);
  return v;
}

/** The exact bytes this element was decoded from (tag, length and content). */
export function raw(node: Node): Buffer {
  const v = node.valueBeforeDecodeView;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function isNull(node: Node | undefined): boolean {
  return node !== undefined && isUniversal(node, 5);
}

export function isOctetString(node: Node | undefined): boolean {
  return node !== undefined && isUniversal(node, 4);
}

export function isInteger(node: Node | undefined): boolean {
  return node !== undefined && isUniversal(node, 2);
}

/** UTCTime / GeneralizedTime to a Date. */
export function time(node: Node | undefined, what: string): Date {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) {
    const d = node.toDate();
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new Asn1Error(`${what}: expected a UTCTime or GeneralizedTime`);
}

/** Decodes the common string types to text. */
export function text(node: Node | undefined, what: string): string {
  if (node instanceof asn1js.BmpString || node instanceof asn1js.UniversalString)
    return node.valueBlock.value;
  if (node && !node.idBlock.isConstructed && node.idBlock.tagClass === UNIVERSAL)
    return primitiveBytes(node, what).toString(node.idBlock.tagNumber === 12 ? 'utf8' : 'latin1');
  throw new Asn1Error(`${what}: expected a string`);
}

// ---------------------------------------------------------------------------------------------
// DER writer

type Part = Uint8Array;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Buffer.from([0x80 | out.length, ...out]);
}

/** One TLV with an explicit identifier octet. */
export function tlv(tag: number, ...content: Part[]): Buffer {
  const len = content.reduce((s, p) => s + p.length, 0);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(len), ...content]);
}

export const derSeq = (...c: Part[]): Buffer => tlv(0x30, ...c);
export const derOctets = (b: Part): Buffer => tlv(0x04, b);
export const derNull = (): Buffer => Buffer.from([0x05, 0x00]);
/** [n] EXPLICIT (constructed context tag). */
export const derExplicit = (n: number, ...c: Part[]): Buffer => tlv(0xa0 | n, ...c);
/** [n] IMPLICIT over a primitive type. */
export const derImplicitPrim = (n: number, b: Part): Buffer => tlv(0x80 | n, b);

/** SET OF with its elements sorted by their encodings (DER, X.690 11.6). */
export function derSetOf(items: Part[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return tlv(0x31, ...sorted);
}

export function derInt(n: number | bigint | Uint8Array): Buffer {
  if (n instanceof Uint8Array) {
    let b = Buffer.from(n);
    while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1);
    if (b.length === 0) b = Buffer.from([0]);
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return tlv(0x02, b);
  }
  let v = BigInt(n);
  if (v < 0n) throw new RangeError('negative integers are not written here');
  const out: number[] = [];
  do {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (out[0]! & 0x80) out.unshift(0);
  return tlv(0x02, Buffer.from(out));
}

export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => BigInt(s));
  if (arcs.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const first = arcs[0]! * 40n + arcs[1]!;
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** AlgorithmIdentifier; `params` undefined writes none, null writes NULL. */
export function derAlg(id: string, params?: Part | null): Buffer {
  if (params === undefined) return derSeq(derOid(id));
  return derSeq(derOid(id), params === null ? derNull() : params);
}

/** UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5, RFC 5652 11.3). */
export function derTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const p = (n: number): string => String(n).padStart(2, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`, 'latin1'));
  return tlv(0x18, Buffer.from(`${String(y).padStart(4, '0')}${rest}`, 'latin1'));
}
