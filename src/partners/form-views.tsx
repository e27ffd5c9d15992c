/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The partner form of the console: every field of the partner contract (src/partners/form.ts), one
 * fieldset per section, each field named by its path with its error, if any, beside it.
 */
import { PostForm } from '../platform/pages';
import { PARTNER_FIELDS, PARTNER_SECTIONS, type FormErrors, type FormField } from './form';

const SECTION_TITLES: Record<string, string> = {
  '': 'Partner',
  cxml: 'cXML',
  oci: 'OCI',
  x12: 'X12',
  approval: 'Approval',
  orders: 'Orders',
  invoicing: 'Invoicing',
  punchout: 'Punchout',
  sftp: 'SFTP mailbox',
  as2: 'AS2',
  delivery: 'Delivery',
};

const HINTS: Partial<Record<FormField['kind'], string>> = {
  lines: 'one per line',
  json: 'JSON',
  pem: 'PEM certificates',
  secret: 'never shown; empty keeps the stored one',
};

/** "cxml.outboundUrl" → "outbound url" (the path itself is shown too). */
const labelOf = (path: string) =>
  (path.split('.').slice(1).join(' ') || path)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\./g, ' ')
    .toLowerCase();

function Input({ f, value }: { f: FormField; value: string }) {
  const common = { name: f.path, id: `f-${f.path}` };
  if (f.kind === 'enum')
    return (
      <select {...common}>
        <option value="">{f.required ? 'choose' : '(not set)'}</option>
        {(f.options ?? []).map((o) => (
          <option value={o} selected={value === o}>
            {o}
          </option>
        ))}
      </select>
    );
  if (f.kind === 'boolean')
    return (
      <select {...common}>
        <option value="">(not set)</option>
        <option value="true" selected={value === 'true'}>
          true
        </option>
        <option value="false" selected={value === 'false'}>
          false
        </option>
      </select>
    );
  if (f.kind === 'json' || f.kind === 'lines' || f.kind === 'pem' || f.path === 'sftp.privateKey')
    return (
      <textarea {...common} rows={f.kind === 'lines' ? 2 : 4} spellcheck={false}>
        {f.kind === 'secret' ? '' : value}
      </textarea>
    );
  return (
    <input
      {...common}
      type={f.kind === 'secret' ? 'password' : 'text'}
      value={f.kind === 'secret' ? '' : value}
      autocomplete={f.kind === 'secret' ? 'new-password' : 'off'}
      inputMode={f.kind === 'number' ? 'decimal' : undefined}
    />
  );
}

function Field(p: { f: FormField; value: string; error?: string | undefined; locked: boolean }) {
  const { f } = p;
  if (p.locked)
    return (
      <label class="field">
        <span>
          id <code>id</code>
        </span>
        <input type="text" value={p.value} disabled />
      </label>
    );
  return (
    <label class={p.error ? 'field invalid' : 'field'} data-field={f.path}>
      <span>
        {labelOf(f.path)}
        {f.required ? ' *' : ''} <code>{f.path}</code>
        {HINTS[f.kind] ? <small> {HINTS[f.kind]}</small> : null}
      </span>
      <Input f={f} value={p.value} />
      {p.error ? (
        <span class="flag" data-error={f.path} role="alert">
          {p.error}
        </span>
      ) : null}
    </label>
  );
}

/** The form: create (`id` absent) or edit one partner. */
export function PartnerForm(p: {
  action: string;
  csrf: string;
  values: Record<string, string>;
  errors?: FormErrors | undefined;
  editing?: string | undefined;
}) {
  const errors = p.errors ?? { fields: {}, general: [] };
  return (
    <PostForm action={p.action} csrf={p.csrf} class="partner-form" id="partner-form">
      {errors.general.length || Object.keys(errors.fields).length ? (
        <div class="flash flash-error" role="alert" id="form-errors">
          Nothing was saved: {Object.keys(errors.fields).length + errors.general.length} problem(s)
          {Object.keys(errors.fields).length ? ` (${Object.keys(errors.fields).join(', ')})` : ''}.
          {errors.general.length ? (
            <ul>
              {errors.general.map((g) => (
                <li>{g}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <p class="muted">
        The fields of the partner contract (README "Partner contract"); a section is sent when any of its
        fields is filled in. * required within its section.
      </p>
      {PARTNER_SECTIONS.map((s) => (
        <fieldset data-section={s || 'partner'}>
          <legend>{SECTION_TITLES[s] ?? s}</legend>
          <div class="fields">
            {PARTNER_FIELDS.filter((f) => f.section === s).map((f) => (
              <Field
                f={f}
                value={p.values[f.path] ?? ''}
                error={errors.fields[f.path]}
                locked={f.path === 'id' && !!p.editing}
              />
            ))}
          </div>
        </fieldset>
      ))}
      <div class="actions">
        <button type="submit" class="primary" id="save-partner">
          {p.editing ? 'Save changes' : 'Create partner'}
        </button>
      </div>
    </PostForm>
  );
}
