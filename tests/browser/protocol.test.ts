import { expect } from '@esm-bundle/chai';
import {
  createCursorCodec,
  decide,
  emptyEntitySet,
  makeOperation,
  parseOperation,
  payloadHash,
  project,
  scopeSetHash,
  sha256Hex,
  type VenueState,
} from '#protocol';

// The protocol loads unchanged in Chromium: schemas, WebCrypto hashing and signing, deciders.
describe('protocol in Chromium', () => {
  it('hashes with WebCrypto exactly as the server does', async () => {
    expect(await sha256Hex('abc')).to.equal(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // The same canonical payload hash the Node tests pin: sha256('{"a":2,"b":1}').
    expect(await payloadHash({ b: 1, a: 2 })).to.equal(await sha256Hex('{"a":2,"b":1}'));
  });

  it('signs and verifies a cursor, and rejects a flipped bit', async () => {
    const codec = await createCursorCodec(new Uint8Array(32).fill(7));
    const claims = {
      v: 1 as const,
      stream: 'demo-bistro',
      seq: 5,
      scopes: await scopeSetHash(['ticket']),
      epoch: 0,
    };
    const token = await codec.encode(claims);
    expect(await codec.decode(token)).to.deep.equal({ ok: true, claims });
    const flipped = `${token.slice(0, 3)}${token[3] === 'A' ? 'B' : 'A'}${token.slice(4)}`;
    expect((await codec.decode(flipped)).ok).to.equal(false);
  });

  it('makes, parses and decides an operation', async () => {
    const entities = project(emptyEntitySet(), [
      {
        entity: 'table',
        id: 'table-1',
        op: 'upsert',
        data: { id: 'table-1', label: '1', seats: 2, version: 1 },
        version: 1,
      },
    ]);
    const state: VenueState = { tenantId: 'demo', venueId: 'demo-bistro', entities };
    const op = await makeOperation({
      type: 'serviceRequest.create',
      payload: { requestId: 'req-1', tableId: 'table-1', kind: 'call_waiter' },
      deviceId: 'phone-1',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'session-1',
    });
    const parsed = parseOperation(JSON.parse(JSON.stringify(op)));
    expect(parsed.ok).to.equal(true);
    const principal = {
      kind: 'guest' as const,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      sessionId: 'session-1',
      tableId: 'table-1',
    };
    const decision = decide(state, op, { now: new Date(0).toISOString(), principal });
    expect(decision.kind).to.equal('applied');
    if (decision.kind === 'applied') {
      expect(decision.changes.map((c) => `${c.entity}:${c.id}:${c.op}`)).to.deep.equal([
        'serviceRequest:req-1:upsert',
      ]);
    }
    const rejected = parseOperation({ ...op, type: 'order.teleport' });
    expect(rejected).to.include({ ok: false, code: 'UNKNOWN_OP_TYPE' });
  });
});
