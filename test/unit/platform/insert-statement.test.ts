import { insertStatement } from '../../../src/platform/db';

describe('insertStatement', () => {
  it('binds each value of one row and leaves an undefined one to the column default', () => {
    const values: unknown[] = ['earlier'];
    const sql = insertStatement(
      'outbox',
      [{ job_name: 'a.b', payload: '{}', available_at: undefined }],
      values,
    );
    expect(sql).toBe('insert into "outbox" ("job_name", "payload", "available_at") values ($2, $3, default)');
    expect(values).toEqual(['earlier', 'a.b', '{}']);
  });

  it('gives several rows one JSON parameter, so the text does not depend on the row count', () => {
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ order_id: 'o', line_number: i + 1, sku: `S"${i}`, note: null }));
    const two: unknown[] = [];
    const ten: unknown[] = [];
    const sql = insertStatement('order_lines', rows(2), two);
    expect(insertStatement('order_lines', rows(10), ten)).toBe(sql);
    expect(sql).toBe(
      'insert into "order_lines" ("order_id", "line_number", "sku", "note") select "order_id", "line_number", "sku", "note" from json_populate_recordset(null::"order_lines", $1::json)',
    );
    expect(JSON.parse(two[0] as string)).toEqual(rows(2));
  });

  it('refuses Buffers and Dates among several rows (JSON would not carry them faithfully)', () => {
    const row = { id: 1, content: Buffer.from('x') };
    expect(() => insertStatement('documents', [row, row], [])).toThrow(/plain values/);
    expect(() => insertStatement('t', [{ at: new Date() }, { at: new Date() }], [])).toThrow(/plain values/);
  });

  it('quotes identifiers', () => {
    expect(insertStatement('we"ird', [{ 'co"l': 1 }], [])).toBe(
      'insert into "we""ird" ("co""l") values ($1)',
    );
  });

  it('needs at least one row', () => {
    expect(() => insertStatement('t', [], [])).toThrow(/no rows/);
  });
});
