import { z } from 'zod';
import { ORDER_STATES, type OrderState } from '../model/order-state';
import { hexColor, httpUrl as absoluteHttpUrl } from '../platform/config';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "5000.00"');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"');
const money = z.object({ amount: decimal, currency });
const httpUrl = z.url({ protocol: /^https?$/ });
/** A remote directory: absolute or relative to the login directory, no NUL or line breaks. */
const remoteDir = z
  .string()
  .min(1)
  .max(1000)
  .regex(/^[^\0\r\n]+$/, 'must be a directory path on the SFTP server');

/** The transports X12 documents travel by to and from a partner. */
export const X12_TRANSPORTS = ['http', 'as2', 'sftp'] as const;

/**
 * An SFTP mailbox on the partner's server (src/transports/sftp): inbound files are polled from
 * `inboundDir`, outbound documents uploaded to `outboundDir`. The server's host key is pinned by its
 * SHA-256 fingerprint; the password and private key are encrypted with SECRETS_KEY and never answered.
 */
export const sftpSettingsSchema = z.object({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(
      /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+$|^[0-9a-fA-F:.]+$/,
      'must be a host name or IP address',
    ),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1).max(200),
  /** The server's host key fingerprint as `ssh-keygen -lf` prints it: SHA256:<43 base64 characters>. */
  hostKeySha256: z
    .string()
    .regex(
      /^(?:SHA256:)?[A-Za-z0-9+/]{43}=?$/,
      'must be the host key fingerprint as ssh-keygen -lf prints it (SHA256: and 43 base64 characters)',
    ),
  /** Omitted on a replace (with privateKey omitted too): the stored credentials are kept. */
  password: z.string().min(1).max(1000).optional(),
  /** An OpenSSH or PEM private key (RSA, ECDSA, Ed25519). */
  privateKey: z
    .string()
    .max(20000)
    .regex(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, 'must be an OpenSSH or PEM private key')
    .optional(),
  privateKeyPassphrase: z.string().min(1).max(1000).optional(),
  inboundDir: remoteDir,
  /** Where a stored file is moved; without it, a stored file is deleted. */
  archiveDir: remoteDir.optional(),
  outboundDir: remoteDir,
  /**
   * The partner's ready-file convention: `orders.x12` is complete once `orders.x12<suffix>` exists
   * (the ready file is removed with it). Without it, a file is complete when its size and time are
   * the same over two polls.
   */
  readyFileSuffix: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1 to 32 letters, digits, ".", "_" or "-" such as ".ready"')
    .optional(),
  pollSeconds: z.number().int().min(1).max(86400).default(60),
});

/** An AS2 name (AS2-From / AS2-To): 1 to 128 printable ASCII characters. */
export const as2Name = z
  .string()
  .regex(/^[\x20-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters')
  .refine((v) => v.trim() === v, 'must not begin or end with a space');

/** A PEM certificate (one or more blocks), or a DER certificate in base64. */
const pemCertificate = z
  .string()
  .max(20000)
  .regex(
    /-----BEGIN CERTIFICATE-----|^[A-Za-z0-9+/=\s]+$/,
    'must be a PEM certificate (-----BEGIN CERTIFICATE-----) or a DER certificate in base64',
  );

/**
 * A PKCS#12 file (.p12/.pfx) in base64 with its password, holding the partner's certificate (or its
 * chain: the end-entity certificates are kept). Only the certificates are kept; the password is used
 * to read the file and never stored.
 */
export const pkcs12Certificate = z
  .object({
    pkcs12: z.string().min(1).max(200_000),
    password: z.string().max(1000),
  })
  .strict();

export const AS2_DIGESTS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export const AS2_CIPHERS = [
  'des-ede3-cbc',
  'aes-128-cbc',
  'aes-192-cbc',
  'aes-256-cbc',
  'aes-128-gcm',
  'aes-192-gcm',
  'aes-256-gcm',
] as const;

/**
 * The partner's AS2 station (src/transports/as2): its AS2 name, its certificates (several during a
 * rollover: any valid one verifies, the newest valid one is encrypted to; validity comes from the
 * certificate), the algorithms it asks for on what we send it, and its AS2 URL.
 */
export const as2SettingsSchema = z.object({
  id: as2Name,
  /** Where outbound AS2 messages are POSTed (x12.transport or cxml.transport "as2"). */
  url: httpUrl.optional(),
  /** PEM, DER in base64, or { pkcs12, password }. */
  certificates: z
    .array(z.union([pemCertificate, pkcs12Certificate]))
    .min(1)
    .max(10),
  /** Digest of our signature on outbound messages (and the MIC we ask back). */
  signDigest: z.enum(AS2_DIGESTS).default('sha256'),
  encryption: z.enum(AS2_CIPHERS).default('aes-256-cbc'),
  /** Compress outbound payloads (RFC 5402 CompressedData). */
  compress: z.boolean().default(false),
  /**
   * Where the compression goes when `compress`: inside the signature (the signature and the MIC
   * cover the compressed entity, the default) or around the signed message (the signature and the
   * MIC cover the uncompressed payload), as the partner's AS2 product expects.
   */
  compressWhen: z.enum(['before-signing', 'after-signing']).default('before-signing'),
  /** The MDN we ask for on outbound messages: in the HTTP answer (sync) or POSTed back (async). */
  mdn: z
    .object({
      mode: z.enum(['sync', 'async']).default('sync'),
      signed: z.boolean().default(true),
    })
    .default({ mode: 'sync', signed: true }),
  /**
   * Inbound messages from this partner must be signed (default: AS2-From is only a header, so an
   * unsigned message proves nothing about who sent it; false accepts them) / encrypted.
   */
  requireSigned: z.boolean().default(true),
  requireEncrypted: z.boolean().default(false),
});

/** A partner certificate as answered (the PEM itself is kept in as2_certificates). */
export const as2CertificateView = z.object({
  fingerprintSha256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});

/** Tax kinds as cXML names them (TaxDetail@category); the X12 810 writes them as TXI01 ST, VA, GS. */
export const TAX_CATEGORIES = ['sales', 'usage', 'vat', 'gst'] as const;

/** The partner contract (shared/contracts/partner.example.json) plus the options later features read. */
export const partnerInputSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-"'),
  name: z.string().min(1).max(200),
  currency,
  priceList: z.string().min(1).nullable().optional(),
  catalogVisibility: z.enum(['all', 'priceList']).default('all'),
  cxml: z
    .object({
      credentials: z.array(z.object({ domain: z.string().min(1), identity: z.string().min(1) })).min(1),
      sharedSecret: z.string().min(8, 'must be at least 8 characters').optional(),
      /**
       * The SharedSecret the supplier sends this partner in outbound cXML (its Sender credential):
       * encrypted with SECRETS_KEY, never answered back. Omitted on a replace: kept; null: removed.
       */
      supplierSharedSecret: z
        .string()
        .min(8, 'must be at least 8 characters')
        .max(1000, 'must be at most 1000 characters')
        .nullable()
        .optional(),
      outboundUrl: httpUrl.optional(),
      /**
       * How outbound cXML (confirmations, ship notices, status updates, invoices) reaches the
       * partner: "http" POSTs to outboundUrl (the default when omitted), "as2" sends it as an AS2
       * message to as2.url (signed and encrypted as the partner's as2 settings ask).
       */
      transport: z.enum(['http', 'as2']).optional(),
      cartReturn: z.enum(['cxml-urlencoded', 'cxml-base64']).default('cxml-urlencoded'),
      /**
       * StatusUpdateRequests about the partner's orders, sent as an order enters a state: a list of
       * order states, or true for DEFAULT_STATUS_UPDATE_STATES (accepted for processing = confirmed,
       * rejected, shipped); false (default) for none.
       */
      statusUpdates: z.union([z.boolean(), z.array(z.enum(ORDER_STATES)).min(1)]).default(false),
    })
    .optional(),
  oci: z
    .object({
      username: z.string().min(1),
      password: z.string().min(8, 'must be at least 8 characters').optional(),
      hookUrlAllowlist: z.array(httpUrl).min(1),
    })
    .optional(),
  x12: z
    .object({
      isaQualifier: z.string().length(2),
      isaId: z.string().min(1).max(15),
      gsId: z.string().min(1).max(15),
      version: z.enum(['004010', '005010']).default('004010'),
      outboundUrl: httpUrl.optional(),
      /**
       * How outbound X12 (855/856/810 and the 997/999 answers) reaches the partner: "http" POSTs to
       * outboundUrl (the default when omitted), "sftp" uploads to sftp.outboundDir, "as2" sends an
       * AS2 message to as2.url (signed and encrypted as the partner's as2 settings ask).
       */
      transport: z.enum(X12_TRANSPORTS).optional(),
      ta1: z.boolean().default(false),
      /**
       * A PO1 without unit price (PO104): "reject" refuses the set in the 997/999 (AK3/AK4 at
       * PO104); "price-from-catalog" prices the line from the partner's contract or the catalog and
       * flags the order (price_from_catalog), which sends it to a person for approval. Default
       * "reject": the buyer's order is its offer, and a price it did not state is taken only where
       * the trading partner agreement says so.
       */
      missingUnitPrice: z.enum(['reject', 'price-from-catalog']).optional(),
      /** Test interchanges (ISA15 T) become test orders (deployment_mode test); otherwise (default) they are validated only. */
      acceptTestInterchanges: z.boolean().optional(),
      /** Hours within which a 997/999 is expected for each outbound set before it shows as overdue (24). */
      ackWithinHours: z.number().positive().optional(),
      delimiters: z
        .object({
          element: z.string().length(1),
          component: z.string().length(1),
          segment: z.string().min(1).max(3),
        })
        .optional(),
    })
    .optional(),
  approval: z
    .object({
      autoApproveBelow: money.optional(),
      levels: z
        .array(
          z.object({
            above: money,
            approvers: z.array(z.string().min(1)).min(1),
            escalateAfterHours: z.number().positive().optional(),
            escalationApprovers: z.array(z.string().min(1)).optional(),
          }),
        )
        .default([]),
      webhookUrl: httpUrl.optional(),
    })
    .optional(),
  orders: z
    .object({
      unknownSku: z.enum(['reject', 'flag']).default('reject'),
    })
    .optional(),
  invoicing: z
    .object({
      requireShipped: z.boolean().default(false),
      taxMode: z.enum(['line', 'header']).default('line'),
      /** The rate (percent) of lines whose order line carries none; it must be one of taxRates. */
      taxRate: decimal.optional(),
      /**
       * What each tax rate the partner is billed is: its kind (cXML TaxDetail@category sales, usage,
       * vat or gst; X12 TXI01 ST, VA, GS) and the Description invoices carry ("Texas sales tax").
       */
      taxRates: z
        .array(
          z.object({
            rate: decimal,
            category: z.enum(TAX_CATEGORIES),
            description: z.string().min(1).max(200),
          }),
        )
        .default([]),
      paymentTermsDays: z.number().int().min(0).default(30),
    })
    .superRefine((v, ctx) => {
      if (v.taxRate !== undefined && !v.taxRates.some((t) => Number(t.rate) === Number(v.taxRate))) {
        ctx.addIssue({
          code: 'custom',
          path: ['taxRates'],
          message: `taxRate ${v.taxRate} needs a taxRates entry saying what tax it is (category ${TAX_CATEGORIES.join(', ')} and a description)`,
        });
      }
    })
    .optional(),
  punchout: z
    .object({
      frameAncestors: z.array(z.string().min(1)).default([]),
      /** How the catalog pages look to this partner's buyers (else SUPPLIER_NAME, _LOGO_URL, _..._COLOR). */
      branding: z
        .object({
          supplierName: z.string().trim().min(1).max(100).optional(),
          logoUrl: absoluteHttpUrl.optional(),
          brandColor: hexColor.optional(),
          accentColor: hexColor.optional(),
        })
        .strict()
        .optional(),
    })
    .optional(),
  sftp: sftpSettingsSchema.optional(),
  as2: as2SettingsSchema.optional(),
  delivery: z
    .object({
      /** Deliveries to this partner in flight at once (default DELIVERY_PARTNER_CONCURRENCY). */
      concurrency: z.number().int().min(1).max(64).optional(),
    })
    .optional(),
  /** Formats of the documents sent back to this partner: cXML, X12, or both. */
  outboundFormats: z
    .array(z.enum(['cxml', 'x12']))
    .min(1)
    .optional(),
});

export type PartnerInput = z.infer<typeof partnerInputSchema>;

/** The order states a partner with `cxml.statusUpdates: true` hears about. */
export const DEFAULT_STATUS_UPDATE_STATES: readonly OrderState[] = ['confirmed', 'rejected', 'shipped'];

/** The order states whose entry sends this partner a StatusUpdateRequest (none unless it asked). */
export function statusUpdateStates(setting: boolean | readonly string[] | undefined): readonly string[] {
  if (setting === true) return DEFAULT_STATUS_UPDATE_STATES;
  return Array.isArray(setting) ? (setting as readonly string[]) : [];
}

/** SFTP settings as stored and answered: without the password and key, saying whether there are. */
export type SftpSettings = Omit<
  NonNullable<PartnerInput['sftp']>,
  'password' | 'privateKey' | 'privateKeyPassphrase'
> & { hasPassword: boolean; hasPrivateKey: boolean };

/** AS2 settings as stored and answered: the certificates summarised (their PEM is in as2_certificates). */
export type As2Settings = Omit<NonNullable<PartnerInput['as2']>, 'certificates'> & {
  certificates: z.infer<typeof as2CertificateView>[];
};

/** Partner settings as stored and answered: the input less its secrets. */
export type PartnerSettings = Omit<PartnerInput, 'cxml' | 'oci' | 'sftp' | 'as2'> & {
  sftp?: SftpSettings;
  as2?: As2Settings;
  cxml?: Omit<NonNullable<PartnerInput['cxml']>, 'sharedSecret' | 'supplierSharedSecret'> & {
    hasSharedSecret: boolean;
    hasSupplierSharedSecret?: boolean;
  };
  oci?: Omit<NonNullable<PartnerInput['oci']>, 'password'> & { hasPassword: boolean };
};

export const partnerOutputSchema = partnerInputSchema
  .omit({ cxml: true, oci: true, sftp: true, as2: true })
  .extend({
    as2: as2SettingsSchema
      .omit({ certificates: true })
      .extend({ certificates: z.array(as2CertificateView) })
      .optional(),
    sftp: sftpSettingsSchema
      .omit({ password: true, privateKey: true, privateKeyPassphrase: true })
      .extend({ hasPassword: z.boolean(), hasPrivateKey: z.boolean() })
      .optional(),
    cxml: z
      .object({
        credentials: z.array(z.object({ domain: z.string(), identity: z.string() })),
        outboundUrl: z.string().optional(),
        transport: z.string().optional(),
        cartReturn: z.string(),
        statusUpdates: z.union([z.boolean(), z.array(z.string())]),
        hasSharedSecret: z.boolean(),
        hasSupplierSharedSecret: z.boolean(),
      })
      .optional(),
    oci: z
      .object({ username: z.string(), hookUrlAllowlist: z.array(z.string()), hasPassword: z.boolean() })
      .optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
