/**
 * The OCI PASSWORD out of stored copies of form-encoded bodies (application/x-www-form-urlencoded):
 * the value of every field named PASSWORD (any case, %-encoded or not) is overwritten with `*`, one
 * per byte, so the copy keeps its length and every other byte as received. One pass: linear.
 */

function decodedName(buf: Buffer, start: number, end: number): string {
  // Field names worth comparing are short; a long one is not PASSWORD.
  if (end - start > 3 * 'PASSWORD'.length) return '';
  const raw = buf.toString('latin1', start, end).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw).trim().toUpperCase();
  } catch {
    return raw.toUpperCase();
  }
}

export function maskOciPassword(buf: Buffer): Buffer {
  let out: Buffer | null = null;
  let pos = 0;
  while (pos <= buf.length) {
    let end = buf.indexOf(0x26, pos); // &
    if (end < 0) end = buf.length;
    const at = buf.subarray(pos, end).indexOf(0x3d); // = within this field only
    const eq = at < 0 ? -1 : pos + at;
    if (eq >= 0 && decodedName(buf, pos, eq) === 'PASSWORD' && end > eq + 1) {
      out ??= Buffer.from(buf);
      out.fill(0x2a, eq + 1, end);
    }
    pos = end + 1;
  }
  return out ?? buf;
}
