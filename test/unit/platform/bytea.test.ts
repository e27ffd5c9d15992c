import { byteaFromText, byteaToText } from '../../../src/platform/db';

describe('bytea text form (PGlite parsers)', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

  it('reads the hex form into a Buffer with the same bytes', () => {
    const b = byteaFromText(`\\x${all.toString('hex')}`);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.equals(all)).toBe(true);
    expect(byteaFromText('\\x').length).toBe(0);
  });

  it('reads the escape form (octal escapes, doubled backslashes)', () => {
    expect(byteaFromText('a\\000b\\\\c\\377').equals(Buffer.from([0x61, 0, 0x62, 0x5c, 0x63, 0xff]))).toBe(
      true,
    );
  });

  it('writes Buffers and Uint8Arrays (also views into a larger buffer) in hex form', () => {
    expect(byteaToText(Buffer.from('<?x'))).toBe('\\x3c3f78');
    const view = new Uint8Array(all.buffer, all.byteOffset + 10, 3);
    expect(byteaToText(view)).toBe('\\x0a0b0c');
    expect(byteaFromText(byteaToText(all)).equals(all)).toBe(true);
    expect(byteaToText('\\x00')).toBe('\\x00');
    expect(() => byteaToText(12)).toThrow(/bytea/);
  });
});
