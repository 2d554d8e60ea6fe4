import { describe, expect, it } from 'vitest';
import { parseRelayConfig, withFlags } from './config.ts';

describe('relay configuration', () => {
  it('needs the cloud URL and defaults the rest', () => {
    expect(parseRelayConfig({})).toEqual({
      ok: false,
      errors: [expect.stringContaining('HEARTH_CLOUD_URL')],
    });
    const ok = parseRelayConfig({ HEARTH_CLOUD_URL: 'http://127.0.0.1:8787' });
    expect(ok).toMatchObject({
      ok: true,
      config: { port: 8788, dataDir: './data/relay', rescueUrl: undefined, tls: undefined },
    });
    expect(ok.ok && ok.config.heartbeatIntervalMs).toBe(15_000);
    const quick = parseRelayConfig({
      HEARTH_CLOUD_URL: 'http://127.0.0.1:8787',
      HEARTH_HEARTBEAT_INTERVAL_MS: '300',
    });
    expect(quick.ok && quick.config.heartbeatIntervalMs).toBe(300);
    expect(
      parseRelayConfig({ HEARTH_CLOUD_URL: 'http://x', HEARTH_HEARTBEAT_INTERVAL_MS: '5' }).ok,
    ).toBe(false);
  });

  it('names every bad variable at once', () => {
    const result = parseRelayConfig({
      PORT: 'abc',
      HEARTH_CLOUD_URL: 'ftp://x',
      HEARTH_TLS_CERT: '/c.pem',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.join('\n')).toMatch(/PORT/);
      expect(result.errors.join('\n')).toMatch(/HEARTH_CLOUD_URL/);
      expect(result.errors.join('\n')).toMatch(/HEARTH_TLS_KEY/);
    }
  });

  it('takes flags over the environment', () => {
    const env = withFlags({ HEARTH_CLOUD_URL: 'http://a' }, [
      '--cloud-url',
      'http://b:1',
      '--port=9000',
    ]);
    expect(parseRelayConfig(env)).toMatchObject({
      ok: true,
      config: { cloudUrl: 'http://b:1', port: 9000 },
    });
  });
});
