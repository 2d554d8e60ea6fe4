import { expect } from '@esm-bundle/chai';
import { SessionController } from '../../web/app/session-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import '../../web/app/sign-in-form.ts';
import { FakeHost } from './controller-host.ts';

// What the sign-in form says for the answers a relay gives: a relay that has just started and
// has no staff list yet says so, and the person is told to try again, not that the PIN is wrong.

const problem = (status: number, body: Record<string, unknown>, headers: HeadersInit = {}) =>
  new Response(JSON.stringify({ status, ...body }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });

/** Signs in with PIN 1111 against an origin that answers `response`, and shows the outcome. */
async function formAfter(response: Response): Promise<string> {
  const controller = new SessionController(new FakeHost(), {
    venueId: 'demo-bistro',
    session: new SessionStore(),
    device: {
      deviceId: async () => 'device-1',
      cursor: async () => null,
      lastSyncAt: async () => null,
    },
    serviceWorker: { controlled: () => false, post: () => false },
    fetch: async () => response,
  });
  await controller.signIn({ kind: 'staff', pin: '1111' });
  const form = document.createElement('hearth-sign-in-form');
  form.status = controller.status;
  document.body.append(form);
  try {
    await form.updateComplete;
    return form.shadowRoot?.querySelector('[role="alert"]')?.textContent ?? '';
  } finally {
    form.remove();
  }
}

describe('sign-in messages', () => {
  it('says the venue’s server is starting for a relay without its staff list yet', async () => {
    const shown = await formAfter(
      problem(
        503,
        {
          type: 'https://hearth.dev/problems/relay-starting',
          title: 'The venue server is starting',
          kind: 'retry_later',
          code: 'RELAY_STARTING',
          detail: 'try again in a moment',
          retryAfter: 2,
        },
        { 'Retry-After': '2' },
      ),
    );
    expect(shown).to.equal('The venue’s server is starting — try again in a moment');
  });

  it('still says a wrong PIN is wrong', async () => {
    const shown = await formAfter(
      problem(401, {
        type: 'https://hearth.dev/problems/pin-invalid',
        title: 'Wrong PIN',
        kind: 'fix_request',
        code: 'PIN_INVALID',
        detail: 'check the PIN and try again',
      }),
    );
    expect(shown).to.equal('Wrong PIN: check the PIN and try again');
  });
});
