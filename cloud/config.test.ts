import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEB_DIR, parseCloudConfig } from './config.ts';

describe('parseCloudConfig', () => {
  it('falls back to port 8787, ./data and this checkout’s web/dist', () => {
    expect(parseCloudConfig({})).toEqual({
      ok: true,
      config: {
        port: 8787,
        dataDir: './data',
        dependencyHoldMs: 3_600_000,
        webDir: DEFAULT_WEB_DIR,
        callerOpsPerSecond: 200,
        callerBurst: 1000,
        addressRequestsPerSecond: 2000,
        addressBurst: 5000,
        trustedProxies: [],
        keysFile: undefined,
        database: undefined,
        seedDemo: true,
        demoTables: 12,
        publicOrigin: undefined,
      },
    });
  });

  it('takes the default web dir from the repository, not from the working directory', () => {
    expect(DEFAULT_WEB_DIR).toBe(resolve(import.meta.dirname, '../web/dist'));
  });

  it('reads PORT, HEARTH_DATA_DIR and HEARTH_WEB_DIR', () => {
    expect(
      parseCloudConfig({
        PORT: '9001',
        HEARTH_DATA_DIR: '/var/lib/hearth',
        HEARTH_WEB_DIR: '/srv/hearth/web',
      }),
    ).toEqual({
      ok: true,
      config: {
        port: 9001,
        dataDir: '/var/lib/hearth',
        dependencyHoldMs: 3_600_000,
        webDir: '/srv/hearth/web',
        callerOpsPerSecond: 200,
        callerBurst: 1000,
        addressRequestsPerSecond: 2000,
        addressBurst: 5000,
        trustedProxies: [],
        keysFile: undefined,
        database: undefined,
        seedDemo: true,
        demoTables: 12,
        publicOrigin: undefined,
      },
    });
  });

  it('reads the per-caller write limits, and names each one that is not a count', () => {
    const read = parseCloudConfig({
      HEARTH_CALLER_OPS_PER_SECOND: '5000',
      HEARTH_CALLER_BURST: '20000',
    });
    expect(read.ok && read.config.callerOpsPerSecond).toBe(5000);
    expect(read.ok && read.config.callerBurst).toBe(20000);
    expect(
      parseCloudConfig({ HEARTH_CALLER_OPS_PER_SECOND: '0', HEARTH_CALLER_BURST: 'lots' }),
    ).toEqual({
      ok: false,
      errors: [
        'HEARTH_CALLER_OPS_PER_SECOND must be a whole number of at least 1, got "0"',
        'HEARTH_CALLER_BURST must be a whole number of at least 1, got "lots"',
      ],
    });
  });

  it('reads the per-address write limits and the trusted proxies, naming what is wrong', () => {
    const read = parseCloudConfig({
      HEARTH_ADDRESS_REQUESTS_PER_SECOND: '50',
      HEARTH_ADDRESS_BURST: '80',
      HEARTH_TRUSTED_PROXIES: ' 10.0.0.2, ::1 ',
    });
    expect(read.ok && read.config).toMatchObject({
      addressRequestsPerSecond: 50,
      addressBurst: 80,
      trustedProxies: ['10.0.0.2', '::1'],
    });
    expect(
      parseCloudConfig({
        HEARTH_ADDRESS_REQUESTS_PER_SECOND: '-1',
        HEARTH_ADDRESS_BURST: '0',
        HEARTH_TRUSTED_PROXIES: '10.0.0.2,proxy.internal,10.0.0.0/8',
      }),
    ).toEqual({
      ok: false,
      errors: [
        'HEARTH_ADDRESS_REQUESTS_PER_SECOND must be a whole number of at least 1, got "-1"',
        'HEARTH_ADDRESS_BURST must be a whole number of at least 1, got "0"',
        'HEARTH_TRUSTED_PROXIES must be comma-separated IP addresses, got "proxy.internal", "10.0.0.0/8"',
      ],
    });
  });

  it('reads DATABASE_URL with its schema and pool size; seeds the demo there only when asked', () => {
    const keys = { HEARTH_KEYS_FILE: '/etc/hearth/cloud-keys.json' };
    const read = parseCloudConfig({ ...keys, DATABASE_URL: 'postgres://hearth:pw@db:5432/hearth' });
    expect(read.ok && read.config.database).toEqual({
      url: 'postgres://hearth:pw@db:5432/hearth',
      schema: 'public',
      connections: 8,
    });
    expect(read.ok && read.config.seedDemo).toBe(false);
    const tuned = parseCloudConfig({
      ...keys,
      DATABASE_URL: 'postgresql://db/hearth',
      HEARTH_DATABASE_SCHEMA: 'cloud',
      HEARTH_DATABASE_CONNECTIONS: '20',
      HEARTH_SEED_DEMO: '1',
    });
    expect(tuned.ok && tuned.config.database).toEqual({
      url: 'postgresql://db/hearth',
      schema: 'cloud',
      connections: 20,
    });
    expect(tuned.ok && tuned.config.seedDemo).toBe(true);
    expect(parseCloudConfig({ HEARTH_SEED_DEMO: '0' })).toMatchObject({
      ok: true,
      config: { seedDemo: false },
    });
  });

  it('seeds the demo venue with HEARTH_DEMO_TABLES tables, 1 to 500', () => {
    expect(parseCloudConfig({ HEARTH_DEMO_TABLES: '32' })).toMatchObject({
      ok: true,
      config: { demoTables: 32 },
    });
    for (const bad of ['0', '501', '3.5', 'many'])
      expect(parseCloudConfig({ HEARTH_DEMO_TABLES: bad })).toEqual({
        ok: false,
        errors: [`HEARTH_DEMO_TABLES must be a whole number from 1 to 500, got "${bad}"`],
      });
  });

  it('refuses DATABASE_URL without shared keys, and names every bad database variable', () => {
    expect(parseCloudConfig({ DATABASE_URL: 'postgres://db/hearth' })).toEqual({
      ok: false,
      errors: [
        'DATABASE_URL needs HEARTH_KEYS_FILE: every instance over one database must share its keys (npm run keys -- <file> writes a new set)',
      ],
    });
    const bad = parseCloudConfig({
      HEARTH_KEYS_FILE: '/k.json',
      DATABASE_URL: 'mysql://user:secret@db/hearth',
      HEARTH_DATABASE_SCHEMA: 'Cloud; drop',
      HEARTH_DATABASE_CONNECTIONS: '0',
      HEARTH_SEED_DEMO: 'yes',
    });
    expect(bad).toEqual({
      ok: false,
      errors: [
        'DATABASE_URL must be a postgres:// or postgresql:// URL',
        'HEARTH_DATABASE_SCHEMA must be a plain lower-case name, got "Cloud; drop"',
        'HEARTH_DATABASE_CONNECTIONS must be a whole number of at least 1, got "0"',
        'HEARTH_SEED_DEMO must be 1 or 0, got "yes"',
      ],
    });
    // The URL may hold a password: no message repeats it.
    expect(JSON.stringify(bad)).not.toContain('secret');
  });

  it('reads HEARTH_METRICS_TOKEN, and refuses a short one', () => {
    const read = parseCloudConfig({ HEARTH_METRICS_TOKEN: 'scrape-token-0123456789' });
    expect(read.ok && read.config.metricsToken).toBe('scrape-token-0123456789');
    expect(parseCloudConfig({}).ok && parseCloudConfig({})).toMatchObject({
      config: { metricsToken: undefined },
    });
    expect(parseCloudConfig({ HEARTH_METRICS_TOKEN: 'short' })).toEqual({
      ok: false,
      errors: ['HEARTH_METRICS_TOKEN must be at least 16 characters (a random secret)'],
    });
  });

  it('reads HEARTH_KEYS_FILE, and names it when blank', () => {
    const read = parseCloudConfig({ HEARTH_KEYS_FILE: '/etc/hearth/cloud-keys.json' });
    expect(read.ok && read.config.keysFile).toBe('/etc/hearth/cloud-keys.json');
    expect(parseCloudConfig({ HEARTH_KEYS_FILE: ' ' })).toEqual({
      ok: false,
      errors: ['HEARTH_KEYS_FILE must be a file path, got " "'],
    });
  });

  it('names HEARTH_WEB_DIR when it is blank', () => {
    expect(parseCloudConfig({ HEARTH_WEB_DIR: ' ' })).toEqual({
      ok: false,
      errors: ['HEARTH_WEB_DIR must be a directory path, got " "'],
    });
  });

  it('reads HEARTH_DEPENDENCY_HOLD_MS and names it when it is not whole milliseconds', () => {
    const held = parseCloudConfig({ HEARTH_DEPENDENCY_HOLD_MS: '2000' });
    expect(held.ok && held.config.dependencyHoldMs).toBe(2000);
    expect(parseCloudConfig({ HEARTH_DEPENDENCY_HOLD_MS: '2s' })).toEqual({
      ok: false,
      errors: ['HEARTH_DEPENDENCY_HOLD_MS must be a whole number of milliseconds, got "2s"'],
    });
  });

  it.each(['abc', '', '80.5', '-1', '65536', '8787x'])('rejects PORT=%j naming PORT', (value) => {
    const result = parseCloudConfig({ PORT: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^PORT /);
  });

  it('reads HEARTH_PUBLIC_ORIGIN as an origin, and names it when it is not one', () => {
    const read = parseCloudConfig({ HEARTH_PUBLIC_ORIGIN: 'https://Hearth.Example:443/' });
    expect(read.ok && read.config.publicOrigin).toBe('https://hearth.example');
    expect(parseCloudConfig({ HEARTH_PUBLIC_ORIGIN: '' })).toMatchObject({
      ok: true,
      config: { publicOrigin: undefined },
    });
    for (const bad of [
      'https://hearth.example/guest',
      '*',
      'hearth.example',
      'ftp://hearth.example',
    ])
      expect(parseCloudConfig({ HEARTH_PUBLIC_ORIGIN: bad })).toEqual({
        ok: false,
        errors: [
          `HEARTH_PUBLIC_ORIGIN must be an origin, http(s)://host[:port] without a path, got ${JSON.stringify(bad)}`,
        ],
      });
  });

  it('reports every invalid variable at once', () => {
    const result = parseCloudConfig({ PORT: 'abc', HEARTH_DATA_DIR: '  ' });
    expect(result).toEqual({
      ok: false,
      errors: [
        'PORT must be a whole number: expected an integer from 0 to 65535, got "abc"',
        'HEARTH_DATA_DIR must be a directory path, got "  "',
      ],
    });
  });
});

describe('the card processor settings', () => {
  it('are off without HEARTH_PROCESSOR_URL; with it, the secret is required and the reader defaults', () => {
    expect(parseCloudConfig({})).toMatchObject({ ok: true, config: { processor: undefined } });
    expect(
      parseCloudConfig({
        HEARTH_PROCESSOR_URL: 'http://127.0.0.1:8790',
        HEARTH_PROCESSOR_SECRET: 'a-secret-of-sixteen+',
      }),
    ).toMatchObject({
      ok: true,
      config: {
        processor: {
          url: 'http://127.0.0.1:8790',
          secret: 'a-secret-of-sixteen+',
          reader: 'counter-1',
        },
      },
    });
  });

  it('names what is wrong, never echoing the secret', () => {
    const missing = parseCloudConfig({ HEARTH_PROCESSOR_URL: 'http://127.0.0.1:8790' });
    expect(missing).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('HEARTH_PROCESSOR_SECRET is required')],
    });
    const bad = parseCloudConfig({
      HEARTH_PROCESSOR_URL: 'ftp://processor',
      HEARTH_PROCESSOR_SECRET: 'short-secret',
      HEARTH_READER: 'counter 1',
    });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors;
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toMatch(
      /HEARTH_READER.*HEARTH_PROCESSOR_URL.*HEARTH_PROCESSOR_SECRET/s,
    );
    expect(errors.join('\n')).not.toContain('short-secret');
  });
});
