/**
 * RC2 decryption (RFC 2268), CBC with PKCS#7 padding. Only for reading legacy PKCS#12 files
 * (`openssl pkcs12 -legacy`, older Windows and Java exports encrypt their certificate safe with
 * RC2-40): OpenSSL 3 keeps RC2 in its legacy provider, which node:crypto does not load.
 * Never used to protect anything.
 */

/** PITABLE of RFC 2268 section 2: a permutation of 0..255 derived from the digits of pi. */
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
    'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
    '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
    '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
    '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
    'c5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** The 64 16-bit key words for `key` with `bits` effective key bits (RFC 2268 section 2). */
function expandKey(key: Uint8Array, bits: number): Uint16Array {
  const T = key.length;
  if (T < 1 || T > 128) throw new RangeError('RC2 key of 1..128 bytes');
  const L = new Uint8Array(128);
  L.set(key);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1]! + L[i - T]!) & 0xff]!;
  const T8 = Math.ceil(bits / 8);
  const TM = 0xff >> (8 * T8 - bits);
  L[128 - T8] = PITABLE[L[128 - T8]! & TM]!;
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1]! ^ L[i + T8]!]!;
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i]! | (L[2 * i + 1]! << 8);
  return K;
}

const S = [1, 2, 3, 5];

function decryptBlock(K: Uint16Array, R: Uint16Array): void {
  let j = 63;
  const mix = (): void => {
    for (let i = 3; i >= 0; i--) {
      const s = S[i]!;
      const r = R[i]!;
      R[i] = (r >>> s) | (r << (16 - s));
      R[i] = R[i]! - K[j]! - (R[(i + 3) & 3]! & R[(i + 2) & 3]!) - (~R[(i + 3) & 3]! & R[(i + 1) & 3]!);
      j--;
    }
  };
  const mash = (): void => {
    for (let i = 3; i >= 0; i--) R[i] = R[i]! - K[R[(i + 3) & 3]! & 63]!;
  };
  for (let n = 0; n < 5; n++) mix();
  mash();
  for (let n = 0; n < 6; n++) mix();
  mash();
  for (let n = 0; n < 5; n++) mix();
}

/** Decrypts one 8-byte block in ECB (for the RFC 2268 test vectors). */
export function rc2DecryptBlock(key: Uint8Array, bits: number, block: Uint8Array): Buffer {
  const K = expandKey(key, bits);
  const R = new Uint16Array(4);
  for (let i = 0; i < 4; i++) R[i] = block[2 * i]! | (block[2 * i + 1]! << 8);
  decryptBlock(K, R);
  const out = Buffer.alloc(8);
  for (let i = 0; i < 4; i++) out.writeUInt16LE(R[i]!, 2 * i);
  return out;
}

/** RC2-CBC decryption with PKCS#7 padding removed; throws on a bad length or padding. */
export function rc2CbcDecrypt(key: Uint8Array, bits: number, iv: Uint8Array, data: Uint8Array): Buffer {
  if (iv.length !== 8 || data.length === 0 || data.length % 8 !== 0)
    throw new Error('RC2-CBC: bad IV or length');
  const K = expandKey(key, bits);
  const out = Buffer.alloc(data.length);
  const R = new Uint16Array(4);
  let prev = Buffer.from(iv);
  for (let off = 0; off < data.length; off += 8) {
    for (let i = 0; i < 4; i++) R[i] = data[off + 2 * i]! | (data[off + 2 * i + 1]! << 8);
    decryptBlock(K, R);
    for (let i = 0; i < 4; i++) {
      out[off + 2 * i] = (R[i]! & 0xff) ^ prev[2 * i]!;
      out[off + 2 * i + 1] = (R[i]! >> 8) ^ prev[2 * i + 1]!;
    }
    prev = Buffer.from(data.subarray(off, off + 8));
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8) throw new Error('RC2-CBC: bad padding');
  for (let i = out.length - pad; i < out.length; i++)
    if (out[i] !== pad) throw new Error('RC2-CBC: bad padding');
  return out.subarray(0, out.length - pad);
}
