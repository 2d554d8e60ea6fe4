import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress, isLoopback, UNKNOWN_ADDRESS } from './client-address.ts';

describe('clientAddress', () => {
  const app = new Hono();
  let trusted = new Set<string>();
  app.get('/', (c) => c.text(clientAddress(c, trusted)));
  const from = async (peer: string | undefined, forwarded?: string) =>
    (
      await app.request(
        '/',
        { headers: forwarded === undefined ? {} : { 'X-Forwarded-For': forwarded } },
        peer === undefined ? undefined : { requestIP: () => ({ address: peer }) },
      )
    ).text();

  it("is the peer's address, the header ignored, without trusted proxies", async () => {
    trusted = new Set();
    expect(await from('203.0.113.5', '1.2.3.4')).toBe('203.0.113.5');
    expect(await from(undefined, '1.2.3.4')).toBe(UNKNOWN_ADDRESS);
  });

  it("behind trusted proxies, the nearest hop that is not one of them; the proxy's own without one", async () => {
    trusted = new Set(['10.0.0.2', '10.0.0.3']);
    expect(await from('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.3')).toBe('203.0.113.9');
    expect(await from('10.0.0.2', ' 203.0.113.9 ')).toBe('203.0.113.9');
    expect(await from('10.0.0.2', '10.0.0.3')).toBe('10.0.0.2');
    expect(await from('10.0.0.2')).toBe('10.0.0.2');
    expect(await from('203.0.113.50', '9.9.9.9')).toBe('203.0.113.50');
  });

  it('reads an IPv4-mapped IPv6 address (how Bun reports IPv4 callers) as the IPv4 address', async () => {
    trusted = new Set(['10.0.0.2']);
    expect(await from('::ffff:10.0.0.2', '::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(await from('::FFFF:198.51.100.7')).toBe('198.51.100.7');
    expect(await from('::ffff:abcd:1')).toBe('::ffff:abcd:1');
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.1', '10.127.0.1', '::ffff:10.0.0.1', '1270::1', 'unknown', '::'])
      expect(isLoopback(a)).toBe(false);
  });

  it('buckets an IPv6 address by its /64, an IPv4 one by itself', () => {
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket(UNKNOWN_ADDRESS)).toBe(UNKNOWN_ADDRESS);
    const one = addressBucket('2001:db8:aa:bb:1111:2222:3333:4444');
    expect(one).toBe('2001:db8:aa:bb::/64');
    for (const same of [
      '2001:db8:aa:bb::1',
      '2001:0db8:00aa:00bb:ffff::',
      '2001:db8:aa:bb::5%eth0',
    ])
      expect(addressBucket(same)).toBe(one);
    expect(addressBucket('2001:db8:aa:bc::1')).not.toBe(one);
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});
