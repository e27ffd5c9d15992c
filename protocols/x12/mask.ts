/**
 * Credentials out of stored copies of X12 interchanges: ISA02 (authorization information) and ISA04
 * (security information) of every ISA segment are overwritten when they hold anything but spaces,
 * one mask character per byte (`*`, or `X` / `#` when `*` is one of the interchange's delimiters),
 * so the copy keeps its length, the ISA its fixed width, and every other byte as received. One
 * forward pass; each ISA is read within its first 120 bytes: linear in the size.
 */

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

const WINDOW = 120;

interface Range {
  start: number;
  end: number;
  mask: number;
}

/** Byte ranges [start, end) of ISA02 and ISA04 of every ISA segment, with the mask byte to use. */
function isaSecretRanges(buf: Buffer): Range[] {
  const out: Range[] = [];
  let from = 0;
  for (;;) {
    const i = buf.indexOf('ISA', from, 'latin1');
    if (i < 0) return out;
    from = i + 3;
    // ISA starts the data or follows a segment terminator / line break, never a letter or digit.
    if (i > 0 && isAlnum(buf[i - 1] as number)) continue;
    const sep = buf[i + 3];
    if (sep === undefined || isAlnum(sep) || sep === 0x20) continue;
    // The separators before ISA01..ISA05 (ISA is fixed width, but not every sender pads).
    const seps: number[] = [i + 3];
    const limit = Math.min(buf.length, i + WINDOW);
    for (let k = i + 4; k < limit && seps.length < 5; k++) if (buf[k] === sep) seps.push(k);
    if (seps.length < 5) continue;
    const [s1, s2, s3, s4, s5] = seps as [number, number, number, number, number];
    // ISA01 and ISA03 are 2-character qualifiers: otherwise this is no ISA segment.
    if (s2 - s1 !== 3 || s4 - s3 !== 3) continue;
    const delimiters = new Set([sep, buf[i + 104], buf[i + 105]]);
    const mask = [0x2a, 0x58, 0x23].find((c) => !delimiters.has(c)) ?? 0x58;
    out.push({ start: s2 + 1, end: s3, mask }, { start: s4 + 1, end: s5, mask });
    from = s5;
  }
}

/** A copy with the non-space bytes of every ISA02 and ISA04 masked (same length); the input is untouched. */
export function maskX12Secrets(buf: Buffer): Buffer {
  const ranges = isaSecretRanges(buf);
  let out: Buffer | null = null;
  for (const r of ranges)
    for (let k = r.start; k < r.end; k++)
      if (buf[k] !== 0x20) {
        out ??= Buffer.from(buf);
        out[k] = r.mask;
      }
  return out ?? buf;
}
