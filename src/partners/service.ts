import { randomUUID } from 'node:crypto';
import type { Db } from '../platform/db';
import { AppError, isUniqueViolation, notFound } from '../platform/errors';
import { encryptSecret } from '../platform/crypto';
import { hashSecret, randomToken, sha256Hex } from '../platform/secrets';
import { supplierSecretAad } from './supplier-secret';
import { findPartner, partnersChanged, type PartnerRow } from './repository';
import type { PartnerInput, PartnerSettings } from './schema';

export type ApiKeyRole = 'erp' | 'finance';

function settingsOf(
  input: PartnerInput,
  row: PartnerRow | undefined,
  secrets: { cxml: boolean; oci: boolean },
): PartnerSettings {
  const { cxml, oci, ...rest } = input;
  void row;
  return {
    ...rest,
    ...(cxml
      ? {
          cxml: {
            ...omit(omit(cxml, 'sharedSecret'), 'supplierSharedSecret'),
            hasSharedSecret: secrets.cxml,
          },
        }
      : {}),
    ...(oci ? { oci: { ...omit(oci, 'password'), hasPassword: secrets.oci } } : {}),
  };
}

function omit<T extends object, K extends keyof T>(obj: T, key: K): Omit<T, K> {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/**
 * Creates or replaces a partner. Secrets the partner sends us are stored as scrypt hashes; the
 * supplier's outbound SharedSecret, which we must send, is encrypted with SECRETS_KEY (`secretsKey`).
 * A replace that omits a secret keeps the stored one.
 */
export async function upsertPartner(
  db: Db,
  input: PartnerInput,
  opts: { secretsKey?: string | undefined } = {},
): Promise<{ partner: PartnerRow; created: boolean }> {
  const supplierSecret = input.cxml?.supplierSharedSecret;
  if (supplierSecret && !opts.secretsKey) {
    throw new AppError(
      'validation_failed',
      'cxml.supplierSharedSecret needs SECRETS_KEY (32 random bytes, e.g. openssl rand -base64 32) in every server and worker',
      { details: [{ path: 'cxml.supplierSharedSecret', message: 'SECRETS_KEY is not set' }] },
    );
  }
  const supplierEnc = supplierSecret
    ? encryptSecret(opts.secretsKey, supplierSecret, supplierSecretAad(input.id))
    : supplierSecret;
  const cxmlHashNew = input.cxml?.sharedSecret ? await hashSecret(input.cxml.sharedSecret) : undefined;
  const ociHashNew = input.oci?.password ? await hashSecret(input.oci.password) : undefined;
  try {
    return await db.transaction(async (trx) => {
      const existing = await trx<PartnerRow>('partners').where({ id: input.id }).forUpdate().first();
      const cxmlHash = input.cxml ? (cxmlHashNew ?? existing?.cxml_secret_hash ?? null) : null;
      const ociHash = input.oci ? (ociHashNew ?? existing?.oci_password_hash ?? null) : null;
      if (input.cxml && !cxmlHash) {
        throw new AppError('validation_failed', 'cxml.sharedSecret is required for a new cXML partner', {
          details: [{ path: 'cxml.sharedSecret', message: 'required' }],
        });
      }
      if (input.oci && !ociHash) {
        throw new AppError('validation_failed', 'oci.password is required for a new OCI partner', {
          details: [{ path: 'oci.password', message: 'required' }],
        });
      }
      const row = {
        id: input.id,
        name: input.name,
        currency: input.currency,
        price_list: input.priceList ?? null,
        catalog_visibility: input.catalogVisibility,
        settings: JSON.stringify(settingsOf(input, existing, { cxml: !!cxmlHash, oci: !!ociHash })),
        cxml_secret_hash: cxmlHash,
        oci_password_hash: ociHash,
        cxml_supplier_secret_enc: !input.cxml
          ? null
          : supplierEnc === undefined
            ? (existing?.cxml_supplier_secret_enc ?? null)
            : supplierEnc,
        updated_at: trx.fn.now(),
        deleted_at: null,
      };
      if (existing) await trx('partners').where({ id: input.id }).update(row);
      else await trx('partners').insert(row);
      await trx('partner_identities').where({ partner_id: input.id }).delete();
      const identities = [
        ...(input.cxml?.credentials ?? []).map((c) => ({
          protocol: 'cxml',
          domain: c.domain,
          identity: c.identity,
        })),
        ...(input.oci ? [{ protocol: 'oci', domain: 'username', identity: input.oci.username }] : []),
        ...(input.x12
          ? [{ protocol: 'x12', domain: input.x12.isaQualifier, identity: input.x12.isaId }]
          : []),
      ];
      if (identities.length) {
        await trx('partner_identities').insert(identities.map((i) => ({ ...i, partner_id: input.id })));
      }
      const partner = (await trx<PartnerRow>('partners').where({ id: input.id }).first())!;
      return { partner, created: !existing };
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('conflict', 'a credential of this partner already belongs to another partner');
    }
    throw err;
  } finally {
    partnersChanged();
  }
}

/** Soft delete: orders, invoices and documents keep their partner; credentials and keys stop working. */
export async function deletePartner(db: Db, id: string): Promise<void> {
  try {
    await deletePartnerRows(db, id);
  } finally {
    partnersChanged();
  }
}

async function deletePartnerRows(db: Db, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const n = await trx('partners')
      .where({ id })
      .whereNull('deleted_at')
      .update({ deleted_at: trx.fn.now() });
    if (n === 0) throw notFound('partner');
    await trx('partner_identities').where({ partner_id: id }).delete();
    await trx('api_keys')
      .where({ partner_id: id })
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() });
  });
}

/** Issues an API key; the key itself is returned once and only its hash is stored. */
export async function createApiKey(
  db: Db,
  partnerId: string,
  role: ApiKeyRole,
): Promise<{ id: string; key: string }> {
  if (!(await findPartner(db, partnerId))) throw notFound('partner');
  const key = `gwk_${role}_${randomToken(24)}`;
  const id = randomUUID();
  await db('api_keys').insert({
    id,
    partner_id: partnerId,
    role,
    key_hash: sha256Hex(key),
    prefix: key.slice(0, 12),
  });
  return { id, key };
}

export function partnerView(row: PartnerRow) {
  const cxml = row.settings.cxml;
  return {
    ...row.settings,
    ...(cxml ? { cxml: { ...cxml, hasSupplierSharedSecret: row.cxml_supplier_secret_enc !== null } } : {}),
    id: row.id,
    name: row.name,
    currency: row.currency,
    priceList: row.price_list,
    catalogVisibility: row.catalog_visibility,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
