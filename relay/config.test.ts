import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultWebDir, parseRelayConfig, withFlags } from './config.ts';

describe('relay configuration', () => {
  it('needs the cloud URL and defaults the rest', () => {
    expect(parseRelayConfig({})).toEqual({
      ok: false,
      errors: [expect.stringContaining('HEARTH_CLOUD_URL')],
    });
    const ok = parseRelayConfig({ HEARTH_CLOUD_URL: 'http://127.0.0.1:8787' });
    expect(ok).toMatchObject({
      ok: true,
      config: {
        port: 8788,
        dataDir: './data/relay',
        rescueUrl: undefined,
        tls: {
          mode: 'venue-ca',
          extraNames: { dnsNames: [], ipAddresses: [] },
          onboardingPort: 8789,
          checkIntervalMs: 86_400_000,
        },
      },
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

describe('the LAN TLS settings', () => {
  const base = { HEARTH_CLOUD_URL: 'http://127.0.0.1:8787' };
  const tlsOf = (env: Record<string, string>) => {
    const result = parseRelayConfig({ ...base, ...env });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    return result.config.tls;
  };
  const errorsOf = (env: Record<string, string>) => {
    const result = parseRelayConfig({ ...base, ...env });
    return result.ok ? [] : result.errors;
  };

  it('takes the operator’s certificate over the venue CA when both files are set', () => {
    expect(
      tlsOf({ HEARTH_TLS_CERT: '/c.pem', HEARTH_TLS_KEY: '/k.pem', HEARTH_TLS_NAMES: 'x.lan' }),
    ).toEqual({ mode: 'operator', cert: '/c.pem', key: '/k.pem', checkIntervalMs: 86_400_000 });
  });

  it('serves plain HTTP only when asked, by variable or flag', () => {
    expect(tlsOf({ HEARTH_PLAIN_HTTP: '1' })).toEqual({ mode: 'plain' });
    expect(tlsOf(withFlags({}, ['--plain-http']) as Record<string, string>)).toEqual({
      mode: 'plain',
    });
    expect(tlsOf({ HEARTH_PLAIN_HTTP: '0' }).mode).toBe('venue-ca');
    expect(errorsOf({ HEARTH_PLAIN_HTTP: 'yes' })).toEqual([
      expect.stringContaining('HEARTH_PLAIN_HTTP must be 1'),
    ]);
    expect(
      errorsOf({ HEARTH_PLAIN_HTTP: '1', HEARTH_TLS_CERT: '/c.pem', HEARTH_TLS_KEY: '/k.pem' }),
    ).toEqual([expect.stringContaining('contradict')]);
  });

  it('answers mDNS by default in venue-CA mode only; HEARTH_MDNS 1 or 0 says otherwise', () => {
    const mdnsOf = (env: Record<string, string>) => {
      const result = parseRelayConfig({ ...base, ...env });
      if (!result.ok) throw new Error(result.errors.join('\n'));
      return result.config.mdns;
    };
    const operator = { HEARTH_TLS_CERT: '/c.pem', HEARTH_TLS_KEY: '/k.pem' };
    expect(mdnsOf({})).toBe(true);
    expect(mdnsOf(operator)).toBe(false);
    expect(mdnsOf({ HEARTH_PLAIN_HTTP: '1' })).toBe(false);
    expect(mdnsOf({ HEARTH_MDNS: '0' })).toBe(false);
    expect(mdnsOf({ ...operator, HEARTH_MDNS: '1' })).toBe(true);
    expect(errorsOf({ HEARTH_MDNS: 'on' })).toEqual([
      expect.stringContaining('HEARTH_MDNS must be 1'),
    ]);
  });

  it('reads the onboarding port (0: off), extra SAN names and the check interval', () => {
    expect(
      tlsOf({
        HEARTH_ONBOARDING_PORT: '0',
        HEARTH_TLS_NAMES: ' Relay.LAN , 192.168.7.2,fd00::20,',
        HEARTH_TLS_CHECK_INTERVAL_MS: '60000',
      }),
    ).toEqual({
      mode: 'venue-ca',
      extraNames: { dnsNames: ['relay.lan'], ipAddresses: ['192.168.7.2', 'fd00::20'] },
      onboardingPort: undefined,
      checkIntervalMs: 60_000,
    });
    const errors = errorsOf({
      PORT: '9000',
      HEARTH_ONBOARDING_PORT: '9000',
      HEARTH_TLS_NAMES: 'ok.lan,bad name,-x.lan',
      HEARTH_TLS_CHECK_INTERVAL_MS: 'daily',
    });
    expect(errors).toEqual([
      expect.stringContaining('HEARTH_TLS_CHECK_INTERVAL_MS must be a whole number'),
      expect.stringContaining('HEARTH_ONBOARDING_PORT must differ from PORT'),
      expect.stringContaining('"bad name"'),
      expect.stringContaining('"-x.lan"'),
    ]);
  });
});

describe('the PWA a relay serves by default', () => {
  it('is the copy a compiled relay carries, else this checkout’s web/dist', () => {
    expect(defaultWebDir('file:///$bunfs/root/hearth-relay')).toBe('/$bunfs/root/dist');
    expect(defaultWebDir(import.meta.url)).toBe('./web/dist');
  });
});

describe('the relay process on a configuration error', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const bun = join(root, 'node_modules', '.bin', 'bun');
  const run = (env: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-relay-config-'));
    try {
      const inherited = Object.fromEntries(
        Object.entries(process.env).filter(
          (e): e is [string, string] => e[1] !== undefined && !/^(HEARTH_|PORT$)/.test(e[0]),
        ),
      );
      return spawnSync(bun, ['relay/main.ts'], {
        cwd: root,
        env: { ...inherited, HEARTH_DATA_DIR: dataDir, ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  it('exits 2, the code the systemd unit does not restart on, naming what is wrong', () => {
    const unit = readFileSync(join(root, 'relay/deploy/hearth-relay.service'), 'utf8');
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);

    const invalid = run({ PORT: 'abc', HEARTH_CLOUD_URL: 'ftp://x' });
    expect(invalid.status, invalid.stderr).toBe(2);
    expect(invalid.stderr).toMatch(/invalid configuration: PORT/);
    expect(invalid.stderr).toMatch(/HEARTH_CLOUD_URL/);

    // Valid settings, but never enrolled and no token to enroll with: nothing a restart fixes.
    const unenrolled = run({ PORT: '0', HEARTH_CLOUD_URL: 'http://127.0.0.1:9' });
    expect(unenrolled.status, unenrolled.stderr).toBe(2);
    expect(unenrolled.stderr).toMatch(/HEARTH_ENROLL_TOKEN/);
  }, 30_000);
});

describe('the card processor settings', () => {
  const base = { HEARTH_CLOUD_URL: 'http://127.0.0.1:8787' };
  it('are off without HEARTH_PROCESSOR_URL; the reader defaults to counter-1', () => {
    expect(parseRelayConfig(base)).toMatchObject({ ok: true, config: { processor: undefined } });
    expect(
      parseRelayConfig({ ...base, HEARTH_PROCESSOR_URL: 'http://127.0.0.1:8790' }),
    ).toMatchObject({
      ok: true,
      config: { processor: { url: 'http://127.0.0.1:8790', reader: 'counter-1' } },
    });
  });

  it('names a bad URL or reader', () => {
    const bad = parseRelayConfig({
      ...base,
      HEARTH_PROCESSOR_URL: 'processor',
      HEARTH_READER: 'a reader',
    });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.errors.join('\n')).toMatch(/HEARTH_PROCESSOR_URL.*HEARTH_READER/s);
  });
});
