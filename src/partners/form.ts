/**
 * The console's partner form, derived from the partner contract (partnerInputSchema) so that it has
 * every field the API takes and nothing else: one form field per leaf of the schema, named by its
 * dotted path ("cxml.outboundUrl"); lists of plain values are one per line, lists of objects and
 * unions are JSON, AS2 certificates are PEM blocks. Reading the form back builds the same input the
 * API validates, and each validation issue is mapped to the field it belongs to (the longest field
 * path that starts its path), so the page shows it next to that field.
 */
import type { z } from 'zod';
import { partnerInputSchema, type PartnerInput } from './schema';

export type FieldKind = 'text' | 'secret' | 'number' | 'boolean' | 'enum' | 'lines' | 'json' | 'pem';

export interface FormField {
  path: string;
  kind: FieldKind;
  /** The choices of an enum. */
  options?: string[];
  /** Required in its section (not optional, no default). */
  required: boolean;
  /** The top-level key it belongs to ("" for the partner's own fields). */
  section: string;
}

/** Fields whose value is a secret: never filled in from what is stored; empty keeps the stored one. */
export const SECRET_FIELDS = new Set([
  'cxml.sharedSecret',
  'cxml.supplierSharedSecret',
  'oci.password',
  'sftp.password',
  'sftp.privateKey',
  'sftp.privateKeyPassphrase',
]);

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional/default/nullable wrappers, and whether there were any. */
function unwrap(s: z.ZodType): { inner: z.ZodType; wrapped: boolean } {
  let inner = s;
  let wrapped = false;
  while (defOf(inner).innerType && ['optional', 'default', 'nullable'].includes(defOf(inner).type)) {
    inner = defOf(inner).innerType as z.ZodType;
    wrapped = true;
  }
  return { inner, wrapped };
}

function leafKind(path: string, s: z.ZodType): Omit<FormField, 'path' | 'required' | 'section'> {
  const d = defOf(s);
  if (d.type === 'string') return { kind: SECRET_FIELDS.has(path) ? 'secret' : 'text' };
  if (d.type === 'number') return { kind: 'number' };
  if (d.type === 'boolean') return { kind: 'boolean' };
  if (d.type === 'enum') return { kind: 'enum', options: (s as unknown as { options: string[] }).options };
  if (d.type === 'array') {
    if (path === 'as2.certificates') return { kind: 'pem' };
    const el = defOf(unwrap(d.element as z.ZodType).inner).type;
    return { kind: el === 'string' || el === 'enum' ? 'lines' : 'json' };
  }
  return { kind: 'json' };
}

function walk(schema: z.ZodType, prefix: string, out: FormField[]): void {
  const shape = defOf(schema).shape ?? {};
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const { inner, wrapped } = unwrap(child);
    if (defOf(inner).type === 'object') {
      walk(inner, path, out);
      continue;
    }
    const section = path.includes('.') ? (path.split('.')[0] as string) : '';
    out.push({ path, required: !wrapped, section, ...leafKind(path, inner) });
  }
}

/** Every field of the partner contract, in the schema's order. */
export const PARTNER_FIELDS: readonly FormField[] = (() => {
  const out: FormField[] = [];
  walk(partnerInputSchema, '', out);
  return out;
})();

/** The sections of the form in order ("" first: id, name, currency, ...). */
export const PARTNER_SECTIONS: readonly string[] = [...new Set(PARTNER_FIELDS.map((f) => f.section))];

function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1] as string] = value;
}

/** The form's values of a stored partner (its settings as answered; secrets left empty). */
export function formValuesOf(
  settings: unknown,
  certificatePems: readonly string[] = [],
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of PARTNER_FIELDS) {
    if (f.kind === 'secret') continue;
    if (f.kind === 'pem') {
      if (certificatePems.length) values[f.path] = certificatePems.join('\n');
      continue;
    }
    const v = getPath(settings, f.path);
    if (v === undefined || v === null) continue;
    if (f.kind === 'lines' && Array.isArray(v)) values[f.path] = v.join('\n');
    else if (f.kind === 'json') values[f.path] = JSON.stringify(v, null, 1);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      values[f.path] = String(v);
    else values[f.path] = JSON.stringify(v);
  }
  return values;
}

/** The PEM blocks of a text (or the text itself: DER in base64). */
const pemBlocks = (text: string) =>
  text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [text.trim()];

/** Reads one field's text into the value the schema expects (or records why it cannot). */
function valueOf(f: FormField, raw: string, errors: Record<string, string>): unknown {
  if (f.kind === 'number') return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  if (f.kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (f.kind === 'lines')
    return raw
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  if (f.kind === 'pem') return pemBlocks(raw);
  if (f.kind === 'json') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      errors[f.path] = 'must be JSON, such as [{"domain": "NetworkID", "identity": "AN01"}]';
      return undefined;
    }
  }
  return f.kind === 'secret' ? raw : raw.trim();
}

/** The partner input a submitted form describes; unreadable fields come back as errors. */
export function inputOfForm(body: Record<string, unknown>): {
  input: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const input: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of PARTNER_FIELDS) {
    const raw = body[f.path];
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const v = valueOf(f, raw, errors);
    if (v !== undefined) setPath(input, f.path, v);
  }
  return { input, errors };
}

/** The field an issue path belongs to: the longest field path that starts it ("" when none). */
export function fieldOfIssue(path: readonly PropertyKey[]): string {
  const p = path.map(String).join('.');
  let best = '';
  for (const f of PARTNER_FIELDS)
    if ((p === f.path || p.startsWith(`${f.path}.`)) && f.path.length > best.length) best = f.path;
  return best;
}

export type FormErrors = { fields: Record<string, string>; general: string[] };

/** Validates an input as the API does: the parsed input, or the errors per field. */
export function validatePartnerForm(
  input: Record<string, unknown>,
  readErrors: Record<string, string>,
): { ok: true; input: PartnerInput } | { ok: false; errors: FormErrors } {
  const parsed = partnerInputSchema.safeParse(input);
  const errors: FormErrors = { fields: { ...readErrors }, general: [] };
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfIssue(issue.path);
      const where = issue.path.map(String).join('.');
      const message = field && where !== field ? `${where}: ${issue.message}` : issue.message;
      if (field) errors.fields[field] ??= message;
      else errors.general.push(where ? `${where}: ${issue.message}` : issue.message);
    }
  }
  if (parsed.success && Object.keys(readErrors).length === 0) return { ok: true, input: parsed.data };
  return { ok: false, errors };
}
