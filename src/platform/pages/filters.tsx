/** @jsxRuntime automatic @jsxImportSource preact */
/** Pieces of the filter forms above every list: a date range and the submit button. */

/** "From" and "To" date inputs (YYYY-MM-DD; a longer ISO value is cut to its date). */
export function DateRange(p: {
  from?: string | undefined;
  to?: string | undefined;
  labels?: [string, string];
}) {
  const [fromLabel, toLabel] = p.labels ?? ['From', 'To'];
  return (
    <>
      <label>
        {fromLabel}
        <input type="date" name="from" value={p.from?.slice(0, 10) ?? ''} />
      </label>
      <label>
        {toLabel}
        <input type="date" name="to" value={p.to?.slice(0, 10) ?? ''} />
      </label>
    </>
  );
}

/** The filter form's submit button. */
export function FilterButton() {
  return (
    <button type="submit" class="primary">
      Filter
    </button>
  );
}

export interface FilterFieldProps<F> {
  label: string;
  name: keyof F & string;
  /** The filters the list was shown with: the input keeps its value. */
  f: F;
  type?: string;
  size?: number;
  hint?: string;
}

/**
 * One input of a filter form, holding the value the list is filtered by. Amount filters (names
 * starting with "open": the open amount) ask a phone for its decimal keypad.
 */
export function FilterField<F extends { [K in keyof F]?: string | undefined }>(p: FilterFieldProps<F>) {
  return (
    <label>
      {p.label}
      <input
        type={p.type ?? 'text'}
        name={p.name}
        value={p.f[p.name]}
        size={p.size}
        {...(p.hint ? { placeholder: p.hint } : {})}
        {...(p.name.startsWith('open') ? { inputMode: 'decimal' as const } : {})}
      />
    </label>
  );
}
