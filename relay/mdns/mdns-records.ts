import { isIPv4 } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import type mDNS from 'multicast-dns';

// What the relay says over multicast DNS (decision 035), decided without a socket: the
// addresses its name stands for, the reply to a query, its announcement and its goodbye.
// Only `hearth-<venue>.local` is ever answered; every other name gets silence.

export type MdnsAnswer = mDNS.ResponseOutgoingPacket['answers'][number];
export type MdnsResponse = mDNS.ResponseOutgoingPacket & { answers: MdnsAnswer[] };

/** RFC 6762 §10: records that carry a host name live 120 s in caches. */
export const HOST_TTL_SECONDS = 120;
/** RFC 6762 §6.7: a legacy (one-shot, not port 5353) querier gets TTLs of at most 10 s. */
export const LEGACY_TTL_SECONDS = 10;

export interface HostAddresses {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/**
 * The machine's LAN addresses, filtered as the certificate's names are (lanSubjectNames):
 * no internal ones, no IPv6 link-local. Given the querier's IPv4 address, only the addresses
 * of the interfaces on its subnet (RFC 6762 §6.2: an answer must be usable on that link);
 * when no subnet holds it (a reflector, loopback), all of them.
 */
export function hostAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  querier?: string,
): HostAddresses {
  const lists = Object.values(interfaces).map((list) =>
    (list ?? []).filter((info) => !info.internal && !/^fe[89ab]/i.test(info.address)),
  );
  const onLink =
    querier !== undefined && isIPv4(querier)
      ? lists.filter((list) =>
          list.some((info) => info.family === 'IPv4' && sameSubnet(info, querier)),
        )
      : [];
  const chosen = (onLink.length > 0 ? onLink : lists).flat();
  const unique = (family: 'IPv4' | 'IPv6') => [
    ...new Set(chosen.filter((info) => info.family === family).map((info) => info.address)),
  ];
  return { ipv4: unique('IPv4'), ipv6: unique('IPv6') };
}

function sameSubnet(info: NetworkInterfaceInfo, address: string): boolean {
  const mask = ipv4Number(info.netmask);
  return (ipv4Number(info.address) & mask) === (ipv4Number(address) & mask);
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((sum, part) => ((sum << 8) | Number(part)) >>> 0, 0);
}

/** The name as mDNS compares it: case-insensitive, without a trailing dot. */
function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

/** The host's A and AAAA records (`cacheFlush`: this relay alone owns the name, §10.2). */
export function addressRecords(
  name: string,
  addresses: HostAddresses,
  options: { ttl: number; cacheFlush: boolean },
  types: readonly ('A' | 'AAAA')[] = ['A', 'AAAA'],
): MdnsAnswer[] {
  const record = (type: 'A' | 'AAAA', data: string): MdnsAnswer => ({
    name,
    type,
    class: 'IN',
    ttl: options.ttl,
    flush: options.cacheFlush,
    data,
  });
  return [
    ...(types.includes('A') ? addresses.ipv4.map((a) => record('A', a)) : []),
    ...(types.includes('AAAA') ? addresses.ipv6.map((a) => record('AAAA', a)) : []),
  ];
}

/** RFC 6762 §6.1: which types the name has, so a querier stops asking for the others. */
function nsec(name: string, addresses: HostAddresses, ttl: number): MdnsAnswer {
  return {
    name,
    type: 'NSEC',
    class: 'IN',
    ttl,
    flush: true,
    data: {
      nextDomain: name,
      rrtypes: [
        ...(addresses.ipv4.length > 0 ? ['A'] : []),
        ...(addresses.ipv6.length > 0 ? ['AAAA'] : []),
      ],
    },
  };
}

/** The query as it arrives: questions and the answers the querier already knows (§7.1). */
export interface MdnsQuery {
  readonly id?: number | undefined;
  readonly questions: readonly { name: string; type: string; class?: string | undefined }[];
  readonly answers?: readonly { name: string; type: string; ttl?: number; data?: unknown }[];
}

export interface MdnsReply {
  /** `multicast`: to the group (the usual case); `unicast`: back to the querier's address. */
  readonly to: 'multicast' | 'unicast';
  readonly packet: MdnsResponse;
}

/** dns-packet leaves the QU bit (§5.4) in the class it names: IN|QU is UNKNOWN_32769. */
const QU_CLASSES = new Set(['UNKNOWN_32769', 'UNKNOWN_33023']);
const ANSWERED_CLASSES = new Set(['IN', 'ANY', ...QU_CLASSES]);

/**
 * The reply to a query, or undefined when it asks nothing of our name. A and AAAA (and ANY)
 * get the addresses, with the other family as additional records; another type of our name
 * gets an NSEC saying which exist. `legacy`: the query came from a port other than the mDNS
 * port (§6.7), so the reply is unicast, repeats the question and id, and caches briefly.
 */
export function replyTo(
  query: MdnsQuery,
  name: string,
  addresses: HostAddresses,
  legacy: boolean,
): MdnsReply | undefined {
  if (addresses.ipv4.length + addresses.ipv6.length === 0) return undefined;
  const ours = query.questions.filter(
    (q) => sameName(q.name, name) && ANSWERED_CLASSES.has(q.class ?? 'IN'),
  );
  if (ours.length === 0) return undefined;
  const ttl = legacy ? LEGACY_TTL_SECONDS : HOST_TTL_SECONDS;
  const options = { ttl, cacheFlush: !legacy };
  const answers: MdnsAnswer[] = [];
  const asked = new Set<'A' | 'AAAA'>();
  for (const question of ours) {
    if (question.type === 'A' || question.type === 'AAAA') asked.add(question.type);
    else if (question.type === 'ANY') {
      asked.add('A');
      asked.add('AAAA');
    } else if (!legacy) answers.push(nsec(name, addresses, ttl));
  }
  answers.push(...addressRecords(name, addresses, options, [...asked]));
  // §7.1: what the querier already holds with at least half its lifetime left is not repeated.
  const known = (answer: MdnsAnswer) =>
    (query.answers ?? []).some(
      (k) =>
        sameName(k.name, answer.name) &&
        k.type === answer.type &&
        String(k.data) === String('data' in answer ? answer.data : undefined) &&
        (k.ttl ?? 0) >= ttl / 2,
    );
  const fresh = answers.filter((answer) => !known(answer));
  if (fresh.length === 0) return undefined;
  // §6.2: the other family rides along; an NSEC says when one of them does not exist.
  const additionals: MdnsAnswer[] = [];
  if (!legacy) {
    const others = (['A', 'AAAA'] as const).filter((type) => !asked.has(type));
    additionals.push(...addressRecords(name, addresses, options, others));
    const oneFamily = addresses.ipv4.length === 0 || addresses.ipv6.length === 0;
    if (oneFamily && !fresh.some((a) => a.type === 'NSEC'))
      additionals.push(nsec(name, addresses, ttl));
  }
  const unicast = legacy || ours.every((q) => QU_CLASSES.has(q.class ?? ''));
  return {
    to: unicast ? 'unicast' : 'multicast',
    packet: {
      ...(legacy
        ? {
            id: query.id ?? 0,
            questions: ours.map((q) => ({ name: q.name, type: q.type, class: 'IN' })),
          }
        : {}),
      answers: fresh,
      additionals,
    } as MdnsResponse,
  };
}

/** §8.3 announcements (TTL 120) and §10.1 goodbyes (TTL 0): every address record, multicast. */
export function announcement(name: string, addresses: HostAddresses): MdnsResponse {
  return {
    answers: addressRecords(name, addresses, { ttl: HOST_TTL_SECONDS, cacheFlush: true }),
  };
}

export function goodbye(name: string, addresses: HostAddresses): MdnsResponse {
  return { answers: addressRecords(name, addresses, { ttl: 0, cacheFlush: false }) };
}
