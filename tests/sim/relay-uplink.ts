import type { OpResult, Principal, TokenClaims, TokenSigner } from '#protocol';
import { CloudClient } from '../../relay/uplink/cloud-client.ts';
import { type CloudNode, VENUE } from './cloud-node.ts';
import type { Network } from './network.ts';

export const never = <T>(): Promise<T> => new Promise<T>(() => {});

const stripped = (init: RequestInit | undefined): RequestInit => ({
  method: init?.method ?? 'GET',
  headers: init?.headers ?? {},
  ...(init?.body === undefined ? {} : { body: init.body }),
});

const pathOf = (url: string | URL | Request) => {
  const u = new URL(String(url));
  return u.pathname + u.search;
};

/**
 * A `CloudClient` whose fetch is the simulated uplink: every request is a message the scheduler
 * delivers, the cloud serves it within that step. A dead process (`alive` false) sends nothing
 * and hears nothing. `onAnswer` runs on the answer before the client sees it.
 */
export function uplinkClient(options: {
  readonly net: Network;
  readonly cloud: CloudNode;
  readonly alive: () => boolean;
  readonly label: string;
  readonly onAnswer?: (response: Response) => Promise<void>;
  readonly reliable?: boolean;
}): CloudClient {
  const { net, cloud, alive, label, onAnswer, reliable = false } = options;
  const send = (async (url: string | URL | Request, init?: RequestInit) => {
    if (!alive()) return never();
    const path = pathOf(url);
    const response = await net.call('uplink', `${label} ${path.split('?')[0]}`, {
      inline: true,
      reliable,
      serve: () => ({
        response: Promise.resolve(cloud.app.request(path, stripped(init))),
        alive: () => true,
      }),
    });
    if (!alive()) return never();
    await onAnswer?.(response);
    return response;
  }) as typeof fetch;
  return new CloudClient({
    baseUrl: () => 'https://cloud.sim',
    credential: cloud.relayCredential,
    venueId: VENUE,
    fetch: send,
  });
}

/** The replay's verdicts and the highest cloud seq they applied at (0 when none). */
export async function replayAnswer(
  response: Response,
): Promise<{ results: OpResult[]; highest: number }> {
  if (!response.ok) return { results: [], highest: 0 };
  const body = (await response.clone().json()) as { results?: OpResult[] };
  const results = body.results ?? [];
  let highest = 0;
  for (const result of results) {
    const final = result.status === 'duplicate' ? result.first : result;
    if (final.status === 'applied') highest = Math.max(highest, final.seq);
  }
  return { results, highest };
}

/** A short line for the trace: each verdict's opId tail and status (and code). */
export function describeVerdicts(results: readonly OpResult[]): string {
  return results
    .map(
      (r) =>
        `${r.opId.slice(-6)}=${r.status}${r.status === 'rejected' || r.status === 'retryable' ? `:${r.code}` : ''}`,
    )
    .join(' ');
}

/** The relay's token signer, as the cloud's static authenticator sees it: a bearer per person. */
export function simSigner(cloud: CloudNode): TokenSigner {
  return { kid: 'relay:relay-1', sign: async (claims) => cloud.bearer(principalOf(claims)) };
}

function principalOf(claims: TokenClaims): Principal {
  if (claims.kind === 'staff')
    return {
      kind: 'staff',
      tenantId: claims.tenantId,
      venueId: claims.venueId,
      actorId: claims.sub,
      role: claims.role,
    };
  if (claims.kind === 'guest')
    return {
      kind: 'guest',
      tenantId: claims.tenantId,
      venueId: claims.venueId,
      sessionId: claims.sub,
      tableId: claims.tableId,
    };
  throw new Error(`the reconciler signed a ${claims.kind} token`);
}
