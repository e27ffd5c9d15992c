/**
 * The partner use cases of the console's Partners screen, each written to the audit log in the
 * transaction of its change: create and edit from the form (validated as the API validates, errors
 * per field), rotate a secret (a new random one, shown once), issue and revoke API keys, and test the
 * connection to the partner's outbound URL. The audit entries hold the partner as the API answers it
 * (secrets only as "has..." flags), never a secret or key.
 */
import { randomUUID } from 'node:crypto';
import { writeAudit } from '../console/audit';
import type { ChangeBy } from '../delivery/operator';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { randomToken } from '../platform/secrets';
import { partnerCertificates } from '../transports/as2/certificates';
import { formValuesOf, inputOfForm, fieldOfIssue, validatePartnerForm, type FormErrors } from './form';
import { findPartner, listPartners, type PartnerRow } from './repository';
import { partnerInputSchema, type PartnerInput } from './schema';
import {
  createApiKey,
  listApiKeys,
  partnerView,
  revokeApiKey,
  upsertPartner,
  type ApiKeyRole,
} from './service';
import { pingPartner, type PingResult } from './ping';

type Ctx = Pick<AppContext, 'db' | 'config' | 'now'>;

/** The secrets the screen rotates: ones the partner sends us (hashed) and the one we send it. */
export const ROTATABLE = ['cxml.sharedSecret', 'cxml.supplierSharedSecret', 'oci.password'] as const;
export type Rotatable = (typeof ROTATABLE)[number];

/** The partner as the API answers it, without its timestamps (the audit's before/after). */
function auditView(row: PartnerRow | undefined) {
  if (!row) return null;
  const { createdAt: _c, updatedAt: _u, ...rest } = partnerView(row);
  return rest;
}

/** The stored AS2 certificates as PEM (public; the form shows them so that an edit keeps them). */
async function certificatePems(q: Q, id: string): Promise<string[]> {
  return (await partnerCertificates(q, id)).map((c) => {
    const b64 = c.der.toString('base64').replace(/(.{64})/g, '$1\n');
    return `-----BEGIN CERTIFICATE-----\n${b64.trim()}\n-----END CERTIFICATE-----`;
  });
}

/** The stored partner as an input the API would take (secrets omitted: a save keeps them). */
async function storedInput(q: Q, row: PartnerRow): Promise<Record<string, unknown>> {
  const { input } = inputOfForm(formValuesOf(partnerView(row), await certificatePems(q, row.id)));
  return input;
}

/** Saves in one transaction with its audit entry; validation refused by the service maps to fields. */
async function saveAudited(
  ctx: Ctx,
  input: PartnerInput,
  by: ChangeBy,
  action: string,
): Promise<{ ok: true; partner: PartnerRow } | { ok: false; errors: FormErrors }> {
  try {
    const partner = await ctx.db.transaction(async (trx) => {
      const before = await findPartner(trx, input.id);
      const { partner } = await upsertPartner(trx, input, {
        secretsKey: ctx.config.SECRETS_KEY,
      });
      await writeAudit(trx, by.now, {
        ...by,
        action,
        subject: `partner:${input.id}`,
        before: auditView(before),
        after: auditView(partner),
      });
      return partner;
    });
    return { ok: true, partner };
  } catch (err) {
    if (!(err instanceof AppError) || !['validation_failed', 'conflict'].includes(err.code)) throw err;
    const errors: FormErrors = { fields: {}, general: [] };
    for (const d of err.details) {
      const field = d.path ? fieldOfIssue(d.path.split('.')) : '';
      if (field) errors.fields[field] ??= d.message;
    }
    if (!Object.keys(errors.fields).length) errors.general.push(err.message);
    return { ok: false, errors };
  }
}

export type SaveOutcome =
  { ok: true; partner: PartnerRow } | { ok: false; errors: FormErrors; values: Record<string, string> };

/** Creates (`id` absent: from the form; refused when it exists) or replaces a partner from the form. */
export async function savePartnerForm(
  ctx: Ctx,
  body: Record<string, unknown>,
  id: string | undefined,
  by: ChangeBy,
): Promise<SaveOutcome> {
  const values = Object.fromEntries(
    Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const { input, errors: readErrors } = inputOfForm(id ? { ...values, id } : values);
  const checked = validatePartnerForm(input, readErrors);
  if (!id && typeof input.id === 'string' && (await findPartner(ctx.db, input.id)))
    return {
      ok: false,
      values,
      errors: { fields: { id: `partner ${input.id} exists already: edit it` }, general: [] },
    };
  if (!checked.ok) return { ok: false, errors: checked.errors, values };
  const saved = await saveAudited(ctx, checked.input, by, id ? 'partner.update' : 'partner.create');
  return saved.ok ? saved : { ...saved, values };
}

/** A new random secret in place of the stored one; returned once, never stored in the clear. */
export async function rotateSecret(
  ctx: Ctx,
  id: string,
  which: Rotatable,
  by: ChangeBy,
): Promise<{ secret: string }> {
  const row = await findPartner(ctx.db, id);
  if (!row) throw notFound('partner');
  const input = await storedInput(ctx.db, row);
  const [section, key] = which.split('.') as ['cxml' | 'oci', string];
  const part = input[section] as Record<string, unknown> | undefined;
  if (!part) throw new AppError('conflict', `partner ${id} has no ${section} settings`);
  const secret = randomToken(24);
  part[key] = secret;
  const saved = await saveAudited(ctx, partnerInputSchema.parse(input), by, `partner.rotate_secret`);
  if (!saved.ok)
    throw new AppError(
      'validation_failed',
      [...saved.errors.general, ...Object.values(saved.errors.fields)].join('; '),
    );
  return { secret };
}

export function partnerConsole(ctx: Ctx) {
  return {
    list: () => listPartners(ctx.db),
    /** The partner, its form values, its keys; 404 when it does not exist. */
    get: async (id: string) => {
      const row = await findPartner(ctx.db, id);
      if (!row) throw notFound('partner');
      const view = partnerView(row);
      return {
        row,
        view,
        values: formValuesOf(view, await certificatePems(ctx.db, id)),
        keys: await listApiKeys(ctx.db, id),
      };
    },
    save: (body: Record<string, unknown>, id: string | undefined, by: ChangeBy) =>
      savePartnerForm(ctx, body, id, by),
    rotate: (id: string, which: Rotatable, by: ChangeBy) => rotateSecret(ctx, id, which, by),
    createKey: (id: string, role: ApiKeyRole, by: ChangeBy) =>
      ctx.db.transaction(async (trx) => {
        const key = await createApiKey(trx, id, role);
        await writeAudit(trx, by.now, {
          ...by,
          action: 'partner.api_key_create',
          subject: `partner:${id}`,
          after: { keyId: key.id, role },
        });
        return key;
      }),
    revokeKey: (id: string, keyId: string, by: ChangeBy) =>
      ctx.db.transaction(async (trx) => {
        const key = await revokeApiKey(trx, keyId, id);
        await writeAudit(trx, by.now, {
          ...by,
          action: 'partner.api_key_revoke',
          subject: `partner:${id}`,
          before: { keyId, prefix: key.prefix, role: key.role },
          after: { revokedAt: key.revokedAt },
        });
        return key;
      }),
    test: async (id: string, by: ChangeBy): Promise<PingResult> => {
      const row = await findPartner(ctx.db, id);
      if (!row) throw notFound('partner');
      const result = await pingPartner(ctx, row, `${Date.now()}.${randomUUID()}@console`);
      await writeAudit(ctx.db, by.now, {
        ...by,
        action: 'partner.test_connection',
        subject: `partner:${id}`,
        after: { url: result.url, status: result.status, error: result.error },
      });
      return result;
    },
  };
}
