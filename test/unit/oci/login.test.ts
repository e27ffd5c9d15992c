import { hookUrlAllowed, parseOciLogin } from '../../../protocols/oci';
import type { OciFields, OciLogin, OciResult } from '../../../protocols/oci';

const base = {
  USERNAME: 'buyer1',
  PASSWORD: 's3cret',
  HOOK_URL: 'https://srm.acme.example/sap/bc/gui/hook?sap-client=100',
};

function ok(r: OciResult<OciLogin>): OciLogin {
  if (!r.ok) throw new Error(`expected a login, got ${r.error.code} ${r.error.field}: ${r.error.message}`);
  return r.value;
}

function refusal(fields: OciFields): { code: string; field: string } {
  const r = parseOciLogin(fields);
  if (r.ok) throw new Error('expected a refusal');
  return { code: r.error.code, field: r.error.field };
}

describe('parseOciLogin', () => {
  it('reads a full login whatever the case of the field names', () => {
    const login = ok(
      parseOciLogin({
        username: 'buyer1',
        Password: 's3cret',
        hook_url: 'https://srm.acme.example/sap/bc/gui/hook?sap-client=100',
        '~okcode': 'ADDI',
        '~Target': '_top',
        '~CALLER': 'CTLG',
        ReturnTarget: 'main',
        function: 'validate',
        ProductId: 'ABC-1',
        quantity: '2.500',
        SearchString: 'toner',
        vendor: '100042',
        'sap-language': 'DE',
      }),
    );
    expect(login).toEqual({
      username: 'buyer1',
      password: 's3cret',
      hookUrl: 'https://srm.acme.example/sap/bc/gui/hook?sap-client=100',
      okCode: 'ADDI',
      target: '_top',
      caller: 'CTLG',
      returnTarget: 'main',
      function: 'VALIDATE',
      productId: 'ABC-1',
      quantity: '2.500',
      searchString: 'toner',
      vendor: '100042',
      extra: { 'sap-language': 'DE' },
    });
  });

  it('leaves optional fields out when they are absent or blank', () => {
    const login = ok(parseOciLogin({ ...base, '~TARGET': '  ', FUNCTION: '' }));
    expect(login.target).toBeUndefined();
    expect(login.function).toBeUndefined();
    expect(login.extra).toEqual({});
  });

  it('accepts a field repeated with the same value, as arrays from a form parser', () => {
    const login = ok(parseOciLogin({ ...base, USERNAME: ['buyer1', 'buyer1'] }));
    expect(login.username).toBe('buyer1');
  });

  it.each(['USERNAME', 'PASSWORD', 'HOOK_URL'])('refuses a login without %s', (field) => {
    const fields: Record<string, string> = { ...base };
    delete fields[field];
    expect(refusal(fields)).toEqual({ code: 'missing', field });
    expect(refusal({ ...base, [field]: '   ' })).toEqual({ code: 'missing', field });
  });

  it.each([
    'javascript:alert(1)',
    ' javascript:alert(1)//https://srm.acme.example/',
    'JAVASCRIPT:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '/sap/bc/gui/hook',
    '//evil.example/hook',
    'srm.acme.example/hook',
    'https:evil.example/hook',
    'ftp://srm.acme.example/hook',
    'file:///etc/passwd',
    'https://',
    'https://user:pw@srm.acme.example/hook',
    'https://srm.acme.example/ho ok',
    'https://srm.acme.example\t.evil.example/',
    'https://srm.acme.example\n/hook',
  ])('refuses HOOK_URL %j', (hook) => {
    expect(refusal({ ...base, HOOK_URL: hook })).toEqual({ code: 'invalid', field: 'HOOK_URL' });
  });

  it('returns the hook URL as the browser will read it (host lower-cased, dot segments resolved)', () => {
    expect(ok(parseOciLogin({ ...base, HOOK_URL: 'HTTPS://SRM.Acme.Example:443/a/../hook' })).hookUrl).toBe(
      'https://srm.acme.example/hook',
    );
  });

  it('refuses a HOOK_URL sent twice with different values (and under two spellings)', () => {
    expect(refusal({ ...base, HOOK_URL: [base.HOOK_URL, 'https://evil.example/'] })).toEqual({
      code: 'ambiguous',
      field: 'HOOK_URL',
    });
    expect(refusal({ ...base, hook_url: 'https://evil.example/' })).toEqual({
      code: 'ambiguous',
      field: 'HOOK_URL',
    });
  });

  it('refuses an unknown FUNCTION', () => {
    expect(refusal({ ...base, FUNCTION: 'DELETE' })).toEqual({ code: 'invalid', field: 'FUNCTION' });
  });

  it.each(['DETAIL', 'DETAILADD', 'VALIDATE'])('refuses FUNCTION=%s without PRODUCTID', (fn) => {
    expect(refusal({ ...base, FUNCTION: fn })).toEqual({ code: 'missing', field: 'PRODUCTID' });
  });

  it('refuses BACKGROUND_SEARCH without SEARCHSTRING and accepts it with one', () => {
    expect(refusal({ ...base, FUNCTION: 'BACKGROUND_SEARCH' })).toEqual({
      code: 'missing',
      field: 'SEARCHSTRING',
    });
    const login = ok(parseOciLogin({ ...base, FUNCTION: 'background_search', SEARCHSTRING: 'toner' }));
    expect(login.function).toBe('BACKGROUND_SEARCH');
  });

  it.each(['0', '-1', '1,5', '1e3', 'two', '1.'])('refuses QUANTITY %j', (q) => {
    expect(refusal({ ...base, QUANTITY: q })).toEqual({ code: 'invalid', field: 'QUANTITY' });
  });
});

describe('hookUrlAllowed', () => {
  const allow = [
    'https://srm.acme.example',
    'https://erp.other.example/sap/bc/',
    'http://legacy.example:8080/oci',
  ];

  it.each([
    'https://srm.acme.example/',
    'https://srm.acme.example/anything?x=1',
    'https://SRM.ACME.EXAMPLE/anything',
    'https://srm.acme.example:443/x',
    'https://srm.acme.example./x',
    'https://erp.other.example/sap/bc/gui/hook',
    'http://legacy.example:8080/oci',
    'http://legacy.example:8080/oci/hook',
    'http://legacy.example:8080/oci?sap-client=100',
  ])('admits %s', (url) => {
    expect(hookUrlAllowed(url, allow)).toBe(true);
  });

  it.each([
    ['a longer host that starts with the allowed one', 'https://srm.acme.example.evil.com/'],
    ['the allowed host as user info', 'https://srm.acme.example@evil.com/'],
    ['a sibling host', 'https://srm.acme.example2/'],
    ['a subdomain', 'https://x.srm.acme.example/'],
    ['another scheme', 'http://srm.acme.example/'],
    ['another port', 'https://srm.acme.example:8443/'],
    ['a path that only starts with the prefix path', 'http://legacy.example:8080/ocix'],
    ['the directory itself when the prefix ends with /', 'https://erp.other.example/sap/bc'],
    ['a dot segment climbing out of the prefix', 'https://erp.other.example/sap/bc/../../evil'],
    ['an encoded dot segment climbing out', 'https://erp.other.example/sap/bc/%2e%2e/%2e%2e/evil'],
    ['a javascript URL', 'javascript:alert(1)//https://srm.acme.example'],
    ['a relative URL', '/sap/bc'],
    ['a tab hidden in the host', 'https://srm.acme.example\t.evil.com/'],
  ])('refuses %s', (_why, url) => {
    expect(hookUrlAllowed(url, allow)).toBe(false);
  });

  it('treats an allowlist entry with a path but no trailing slash as a path-segment boundary', () => {
    expect(hookUrlAllowed('https://h.example/sap/bc', ['https://h.example/sap/bc'])).toBe(true);
    expect(hookUrlAllowed('https://h.example/sap/bc/x', ['https://h.example/sap/bc'])).toBe(true);
    expect(hookUrlAllowed('https://h.example/sap/bcx', ['https://h.example/sap/bc'])).toBe(false);
  });

  it('ignores allowlist entries that are not absolute http(s) URLs or that carry a query', () => {
    const url = 'https://srm.acme.example/hook';
    expect(hookUrlAllowed(url, ['srm.acme.example', '*', '', 'https://srm.acme.example/?a=1'])).toBe(false);
    expect(hookUrlAllowed(url, [])).toBe(false);
  });
});
