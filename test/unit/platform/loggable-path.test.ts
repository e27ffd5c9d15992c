import { loggablePath } from '../../../src/platform/log';

describe('loggablePath: what the access log shows of a request path', () => {
  it.each([
    ['/punchout/s/Tok3n-abc/search?q=x', '/punchout/s/[redacted]/search'],
    ['/PUNCHOUT/S/Tok3n-abc/', '/PUNCHOUT/S/[redacted]/'],
    ['//punchout//start/Tok3n', '//punchout//start/[redacted]'],
    ['/api/v1/orders?key=gwk_erp_abc&token=t', '/api/v1/orders'],
    ['/api/v1/x/gwk_erp_abcdefgh12345', '/api/v1/x/[redacted]'],
    ['/approvals/link?token=abc', '/approvals/link'],
    [
      '/api/v1/orders/4b1e7c1a-0000-4000-8000-000000000000',
      '/api/v1/orders/4b1e7c1a-0000-4000-8000-000000000000',
    ],
  ])('%s -> %s', (url, expected) => {
    expect(loggablePath(url)).toBe(expected);
  });

  it('cuts a long path and takes linear time on one of 4 MB', () => {
    const started = performance.now();
    const out = loggablePath(`/${'a/'.repeat(2 * 1024 * 1024)}`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out.length).toBeLessThanOrEqual(1001);
  });
});
