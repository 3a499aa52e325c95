import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('falls back to the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      postsDir: './posts',
      databasePath: './data/quire.sqlite',
      authorPassword: undefined,
      siteTitle: 'Quire',
      siteUrl: 'http://localhost:3000',
      trustProxy: false,
      secureCookies: false,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', AUTHOR_PASSWORD: '' }).port).toBe(3000);
  });

  it('names every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', SITE_URL: 'ftp://example.com', AUTHOR_PASSWORD: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('SITE_URL');
    expect(message).toContain('AUTHOR_PASSWORD');
  });

  it('marks cookies Secure when the site is served over https', () => {
    const config = loadConfig({ SITE_URL: 'https://blog.example.com/' });
    expect(config.secureCookies).toBe(true);
    expect(config.siteUrl).toBe('https://blog.example.com');
  });

  it('reads TRUST_PROXY as a flag or as an Express trust-proxy setting', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  });
});
