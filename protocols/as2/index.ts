/**
 * AS2 codec (RFC 4130, RFC 5402): MIME, CMS (sign/verify, encrypt/decrypt, compress), MIC,
 * MDNs, outbound message building, certificates and keys. Pure: no I/O, no clock (`now` is a
 * parameter); randomness only for keys, IVs and MIME boundaries.
 *
 * Inbound (POST /as2):
 *   const h = toHeaders(req.headers); const as2 = readAs2Headers(h);          // partner lookup by as2.as2From
 *   try { const r = unwrapAs2Message({ headers: h, body }, { decryptionKeys, partnerCertificates, now });
 *         checkPolicy(r, partnerPolicy); ...store r.payload...; outcome = 'processed', mic = r.mic }
 *   catch (e) { if (e instanceof As2Error) outcome = e; else throw e }
 *   const ask = negotiateReceipt(as2.dispositionNotificationOptions);
 *   const mdn = buildMdn({ original: as2, outcome, mic, messageId, now, sign: ask.signed ? ourKey : undefined });
 *   // as2.receiptDeliveryOption ? POST mdn to it (async) : answer with mdn.headers + mdn.body (sync)
 * Outbound:
 *   const m = buildAs2Message({ payload, contentType: 'application/edi-x12', as2From, as2To, messageId, now,
 *     sign: { ...ourKey, digest: 'sha256' }, encrypt: { certificates: [newestValidCertificate(partnerCerts, now)!],
 *     algorithm: 'aes-256-cbc' }, receipt: { signed: true, micAlgorithms: ['sha256'] } });
 *   // POST m.body with m.headers; keep m.mic; then checkMdn(parseMdn(response, { partnerCertificates, now }), m)
 */
export * from './algorithms';
export * from './errors';
export {
  type As2Certificate,
  type KeyMaterial,
  type ImportOptions,
  type CertificateId,
  parseCertificate,
  importKeyMaterial,
  keyMatchesCertificate,
  isValidAt,
  validCertificates,
  newestValidCertificate,
  expiringCertificates,
  findCertificate,
} from './certificates';
export {
  type SignOptions,
  type SignerReport,
  type VerifyOptions,
  type VerifyResult,
  type EncryptOptions,
  type DecryptionKey,
  type DecryptResult,
  type CmsLimits,
  signData,
  verifySignedData,
  encryptData,
  decryptData,
  compressData,
  decompressData,
  readContentInfo,
} from './cms';
export * from './mime';
export * from './mic';
export * from './headers';
export * from './message';
export * from './mdn';
