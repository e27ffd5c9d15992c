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
