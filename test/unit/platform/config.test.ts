import { ConfigError, loadConfig } from '../../../src/platform/config';

describe('configuration', () => {
  it('defaults to the embedded mode with no environment', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.PORT).toBe(3000);
    expect(c.MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MAX_BODY_BYTES: '-1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MAX_BODY_BYTES'])
      expect(problems).toContain(key);
  });

  it('takes PUBLIC_BASE_URL only as an absolute http(s) URL, naming the form it wants', () => {
    for (const bad of ['localhost:3115', 'gateway.example.com', 'ftp://gateway.example.com', 'https://'])
      expect(() => loadConfig({ PUBLIC_BASE_URL: bad })).toThrow(
        'PUBLIC_BASE_URL: must be an absolute http(s) URL such as https://gateway.example.com or http://localhost:3000',
      );
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://gateway.example.com/' }).publicBaseUrl).toBe(
      'https://gateway.example.com',
    );
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://localhost:3115' }).publicBaseUrl).toBe(
      'http://localhost:3115',
    );
  });

  it('names the accepted forms of a boolean setting', () => {
    expect(() => loadConfig({ DEMO: 'maybe' })).toThrow(/DEMO: .*"1".*"true".*"yes"/);
  });

  it('requires ADMIN_TOKEN when DATABASE_URL is set', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://root@localhost/test' })).toThrow(/ADMIN_TOKEN/);
  });

  it('seeds demo data by default only in embedded mode; with DATABASE_URL only when DEMO=1', () => {
    const pg = { DATABASE_URL: 'postgres://root@localhost/test', ADMIN_TOKEN: 'x'.repeat(16) };
    expect(loadConfig({}).DEMO).toBe(true);
    expect(loadConfig({ DEMO: '0' }).DEMO).toBe(false);
    expect(loadConfig(pg).DEMO).toBe(false);
    expect(loadConfig({ ...pg, DEMO: '1' }).DEMO).toBe(true);
  });
});
