import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { announcement, goodbye, hostAddresses, replyTo } from './mdns-records.ts';

// What the responder says, without sockets: which addresses a querier is given, what each
// question gets, and that other names get nothing.

const NAME = 'hearth-demo-bistro.local';
const info = (address: string, netmask: string, internal = false): NetworkInterfaceInfo =>
  address.includes(':')
    ? {
        address,
        netmask,
        family: 'IPv6',
        mac: '02:00:00:00:00:01',
        internal,
        cidr: `${address}/64`,
        scopeid: 0,
      }
    : { address, netmask, family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: null };
const interfaces = {
  lo: [info('127.0.0.1', '255.0.0.0', true), info('::1', 'ffff:ffff:ffff:ffff::', true)],
  eth0: [
    info('192.168.1.20', '255.255.255.0'),
    info('fd00::20', 'ffff:ffff:ffff:ffff::'),
    info('fe80::20', 'ffff:ffff:ffff:ffff::'),
  ],
  wlan0: [info('10.0.5.9', '255.255.0.0')],
};
const both = { ipv4: ['192.168.1.20'], ipv6: ['fd00::20'] };
const a = (name = NAME) => ({ name, type: 'A', class: 'IN' });

describe('hostAddresses', () => {
  it('gives the addresses on the querier’s link, without loopback or link-local', () => {
    expect(hostAddresses(interfaces, '192.168.1.77')).toEqual(both);
    expect(hostAddresses(interfaces, '10.0.200.1')).toEqual({ ipv4: ['10.0.5.9'], ipv6: [] });
  });

  it('gives every LAN address when no subnet holds the querier', () => {
    const all = { ipv4: ['192.168.1.20', '10.0.5.9'], ipv6: ['fd00::20'] };
    expect(hostAddresses(interfaces, '172.16.0.1')).toEqual(all);
    expect(hostAddresses(interfaces)).toEqual(all);
  });
});

describe('replyTo', () => {
  it('answers A with the IPv4 addresses and adds the AAAA ones, cache-flush, 120 s', () => {
    const reply = replyTo({ questions: [a()] }, NAME, both, false);
    expect(reply?.to).toBe('multicast');
    expect(reply?.packet.answers).toEqual([
      { name: NAME, type: 'A', class: 'IN', ttl: 120, flush: true, data: '192.168.1.20' },
    ]);
    expect(reply?.packet.additionals).toEqual([
      { name: NAME, type: 'AAAA', class: 'IN', ttl: 120, flush: true, data: 'fd00::20' },
    ]);
  });

  it('answers ANY with both families, whatever the case of the name', () => {
    const reply = replyTo(
      { questions: [{ name: NAME.toUpperCase(), type: 'ANY' }] },
      NAME,
      both,
      false,
    );
    expect(reply?.packet.answers.map((r) => r.type)).toEqual(['A', 'AAAA']);
  });

  it('says which types exist (NSEC) when asked for another type of its name', () => {
    const reply = replyTo({ questions: [{ name: NAME, type: 'HTTPS' }] }, NAME, both, false);
    expect(reply?.packet.answers).toEqual([
      {
        name: NAME,
        type: 'NSEC',
        class: 'IN',
        ttl: 120,
        flush: true,
        data: { nextDomain: NAME, rrtypes: ['A', 'AAAA'] },
      },
    ]);
  });

  it('says AAAA does not exist when the link has no IPv6 address', () => {
    const reply = replyTo({ questions: [a()] }, NAME, { ipv4: ['10.0.5.9'], ipv6: [] }, false);
    expect(reply?.packet.additionals?.map((r) => r.type)).toEqual(['NSEC']);
  });

  it('never answers another name, nor without addresses', () => {
    expect(replyTo({ questions: [a('hearth-other.local')] }, NAME, both, false)).toBeUndefined();
    expect(replyTo({ questions: [a('printer.local')] }, NAME, both, false)).toBeUndefined();
    expect(replyTo({ questions: [a()] }, NAME, { ipv4: [], ipv6: [] }, false)).toBeUndefined();
  });

  it('leaves out what the querier already knows with half its lifetime left', () => {
    const known = { name: NAME, type: 'A', ttl: 100, data: '192.168.1.20' };
    expect(replyTo({ questions: [a()], answers: [known] }, NAME, both, false)).toBeUndefined();
    const stale = { ...known, ttl: 30 };
    expect(replyTo({ questions: [a()], answers: [stale] }, NAME, both, false)).toBeDefined();
  });

  it('answers a QU question by unicast', () => {
    const qu = { name: NAME, type: 'A', class: 'UNKNOWN_32769' };
    expect(replyTo({ questions: [qu] }, NAME, both, false)?.to).toBe('unicast');
  });

  it('answers a legacy query by unicast with its id and question, 10 s, no cache-flush', () => {
    const reply = replyTo({ id: 7, questions: [a()] }, NAME, both, true);
    expect(reply).toEqual({
      to: 'unicast',
      packet: {
        id: 7,
        questions: [a()],
        answers: [
          { name: NAME, type: 'A', class: 'IN', ttl: 10, flush: false, data: '192.168.1.20' },
        ],
        additionals: [],
      },
    });
  });
});

describe('announcement and goodbye', () => {
  it('announce every address for 120 s and withdraw them with TTL 0', () => {
    expect(
      announcement(NAME, both).answers.map((r) => [r.type, 'ttl' in r ? r.ttl : undefined]),
    ).toEqual([
      ['A', 120],
      ['AAAA', 120],
    ]);
    expect(
      goodbye(NAME, both).answers.map((r) => [r.type, 'ttl' in r ? r.ttl : undefined]),
    ).toEqual([
      ['A', 0],
      ['AAAA', 0],
    ]);
  });
});
