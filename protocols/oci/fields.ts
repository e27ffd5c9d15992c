/**
 * Form fields as an HTTP layer hands them over: a name maps to one value, or to several when the
 * name was repeated. OCI field names are case-insensitive, so lookups go through `FieldBag`, which
 * merges names that differ only in case.
 */
export type OciFields = Readonly<Record<string, string | readonly string[]>>;

export interface OciFieldError {
  /** missing: absent or empty; invalid: present but unusable; ambiguous: given twice with different values. */
  code: 'missing' | 'invalid' | 'ambiguous';
  /** The field as the OCI specification spells it (e.g. "HOOK_URL", "NEW_ITEM-QUANTITY[2]"). */
  field: string;
  message: string;
}

export type OciResult<T> = { ok: true; value: T } | { ok: false; error: OciFieldError };

export class FieldBag {
  /** Upper-cased name -> every value received under any spelling of it. */
  private readonly values = new Map<string, string[]>();
  /** Upper-cased name -> the spelling first received. */
  private readonly spellings = new Map<string, string>();

  constructor(fields: OciFields) {
    for (const [name, raw] of Object.entries(fields)) {
      const key = name.toUpperCase();
      const list = typeof raw === 'string' ? [raw] : [...raw];
      const existing = this.values.get(key);
      if (existing) existing.push(...list);
      else {
        this.values.set(key, list);
        this.spellings.set(key, name);
      }
    }
  }

  /** Upper-cased names of every field received. */
  keys(): string[] {
    return [...this.values.keys()];
  }

  spelling(key: string): string {
    return this.spellings.get(key.toUpperCase()) ?? key;
  }

  /** Every value received for the name (any case). */
  all(name: string): string[] {
    return this.values.get(name.toUpperCase()) ?? [];
  }

  /**
   * The single value of a field, trimmed; undefined when absent or blank. Repeating a field with the
   * same value is harmless; repeating it with different values is refused rather than guessed at.
   */
  one(name: string): OciResult<string | undefined> {
    const distinct = [...new Set(this.all(name).map((v) => v.trim()))].filter((v) => v !== '');
    if (distinct.length > 1) {
      return {
        ok: false,
        error: {
          code: 'ambiguous',
          field: name,
          message: `${name} was sent more than once with different values`,
        },
      };
    }
    return { ok: true, value: distinct[0] };
  }
}

export function missing(field: string, why = `${field} is required`): { ok: false; error: OciFieldError } {
  return { ok: false, error: { code: 'missing', field, message: why } };
}

export function invalid(field: string, why: string): { ok: false; error: OciFieldError } {
  return { ok: false, error: { code: 'invalid', field, message: why } };
}
