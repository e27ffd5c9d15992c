import { csvObjects } from '../../../src/catalog/csv';

describe('csvObjects: a header too wide is refused before any row is read', () => {
  it('names the header even when a row after it is malformed (the rows were parsed first)', () => {
    const text = `${'a,'.repeat(200)}a\n"unterminated\n`;
    expect(() => csvObjects(text, 200)).toThrow(
      'line 1: the header has 201 columns, more than 200 (setting CSV_MAX_COLUMNS)',
    );
  });

  it('refuses 1 MB of header over 3 MB of one-letter rows in the time of the header', () => {
    const text = `${'a,'.repeat(512 * 1024)}\n${'x\n'.repeat(1536 * 1024)}`;
    const started = performance.now();
    expect(() => csvObjects(text, 200)).toThrow(/more than 200 \(setting CSV_MAX_COLUMNS\)/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a header within the limit still gives every row', () => {
    expect(csvObjects('sku,name\nA,1\nB,2\n', 2).rows.map((r) => r.values.sku)).toEqual(['A', 'B']);
  });
});
