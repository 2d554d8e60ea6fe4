import { css, html, LitElement, nothing } from 'lit';
import { apiUrl } from '../app/api-url.ts';
import { floorStyles } from '../floor/floor-styles.ts';
import {
  type CodeHint,
  codeFromHash,
  defaultName,
  hintOf,
  NO_CODE_MESSAGE,
  nameError,
  OFFLINE_MESSAGE,
  type Paired,
  pairedWords,
  parsePaired,
  refusalWords,
  screenOf,
} from './pair-state.ts';

/** What the page needs from the browser: a port, so tests give their own. */
export interface PairDeps {
  readonly fetch: typeof fetch;
  /** The install's stable deviceId (the cache's, made once: web/device/local-db.ts). */
  readonly deviceId: () => Promise<string>;
  /** True once a service worker controls the page (`/api/…` then reaches the origin through it). */
  readonly controlled: () => boolean;
  /** Opens the paired device's screen. */
  readonly navigate: (url: string) => void;
  /** The venue this deployment's pages serve (`<meta name="hearth:venue">`), or null. */
  readonly pageVenue: string | null;
  /** How long the success message shows before the screen opens. */
  readonly redirectMs?: number;
}

type Stage =
  | { readonly status: 'form' }
  | { readonly status: 'pairing' }
  | { readonly status: 'paired'; readonly paired: Paired }
  | { readonly status: 'error'; readonly message: string };

function browserDeps(): PairDeps {
  return {
    fetch: (input, init) => window.fetch(input, init),
    // The cache's database (zod with it) loads only when Pair is pressed.
    deviceId: async () => {
      const { cacheDeviceSource, openLocalDb } = await import('../app/cache-adapters.ts');
      return cacheDeviceSource(openLocalDb()).deviceId();
    },
    controlled: () => Boolean(navigator.serviceWorker?.controller),
    navigate: (url) => window.location.assign(url),
    pageVenue:
      document.querySelector<HTMLMetaElement>('meta[name="hearth:venue"]')?.content || null,
  };
}

/**
 * `<hearth-pair-page>`: a staff device joins the venue. Opened from the pairing QR code a
 * manager shows (`/pair#code=…`), it takes the code from the fragment — and takes it out of the
 * address bar, so it is neither bookmarked nor left in the history — asks for the device's name
 * (prefilled from the code's role), and sends `POST /v1/devices/pair` with this install's
 * deviceId. The server answers with the device credential as an HttpOnly cookie the page never
 * sees; the page then says so and opens the floor app or the kitchen display. Expired, used and
 * invalid codes and no connection are said in words with what to do.
 */
export class PairPage extends LitElement {
  static override properties = {
    deps: { attribute: false },
    name: { state: true },
    stage: { state: true },
    problem: { state: true },
  };

  declare deps: PairDeps | undefined;
  declare name: string;
  declare stage: Stage;
  /** What is wrong with the name, once Pair was pressed. */
  declare problem: string | null;
  #code: string | null = null;
  #hint: CodeHint = { role: null, expiresAt: null, venueId: null };
  #redirect: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    floorStyles,
    css`
      :host {
        max-width: 34rem;
        margin: 0 auto;
        padding: 1.25rem;
      }
      h1 {
        margin: 0;
        font-size: 1.5rem;
      }
      p {
        margin: 0;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      input {
        width: 100%;
      }
      .done {
        color: var(--floor-ok);
        font-weight: 700;
      }
      a {
        color: var(--floor-accent);
        font-weight: 700;
      }
      a.button {
        display: inline-flex;
        align-items: center;
        min-height: 44px;
        padding: 0.5rem 1rem;
        border-radius: 0.5rem;
        background: var(--floor-accent);
        color: var(--floor-accent-fg);
        text-decoration: none;
      }
      [aria-invalid='true'] {
        border-color: var(--floor-bad);
        border-width: 3px;
      }
    `,
  ];

  constructor() {
    super();
    this.deps = undefined;
    this.name = '';
    this.stage = { status: 'form' };
    this.problem = null;
  }

  get #deps(): PairDeps {
    this.deps ??= browserDeps();
    return this.deps;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#code = codeFromHash(location.hash);
    if (location.hash) {
      // The code is a one-time secret: out of the address bar, the history and bookmarks.
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    if (this.#code) {
      this.#hint = hintOf(this.#code);
      this.name ||= defaultName(this.#hint.role);
    }
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#redirect);
    super.disconnectedCallback();
  }

  override render() {
    return html`<h1 id="pair-title">Pair this device</h1>
      ${this.#body()} ${this.#message()}`;
  }

  /** One live region for the whole page, so each outcome is said as it replaces the last. */
  #message() {
    const stage = this.stage;
    const [words, style] =
      stage.status === 'paired'
        ? [pairedWords(stage.paired), 'done']
        : stage.status === 'error'
          ? [stage.message, 'error']
          : stage.status === 'pairing'
            ? ['Pairing…', 'muted']
            : ['', 'muted'];
    return html`<p role="status" aria-live="polite" class=${style} data-message>${words}</p>`;
  }

  #body() {
    if (!this.#code) return html`<p class="error" data-error="no-code">${NO_CODE_MESSAGE}</p>`;
    const stage = this.stage;
    if (stage.status === 'paired') return this.#paired(stage.paired);
    const pairing = stage.status === 'pairing';
    const what = this.#hint.role === 'kitchen' ? 'kitchen display' : 'floor tablet';
    return html`<p>
        This code pairs a ${what}${this.#hint.venueId ? html` with <strong>${this.#hint.venueId}</strong>` : nothing}.
        Once paired, staff sign in on it with their PIN.
      </p>
      <form novalidate @submit=${this.#submit} aria-labelledby="pair-title">
        <label>
          Name of this device
          <input
            name="device-name"
            autocomplete="off"
            maxlength="80"
            .value=${this.name}
            aria-invalid=${this.problem ? 'true' : 'false'}
            aria-describedby=${this.problem ? 'name-error' : 'name-hint'}
            @input=${(e: Event) => this.#edit((e.target as HTMLInputElement).value)}
          />
        </label>
        ${
          this.problem
            ? html`<p class="error" id="name-error">${this.problem}</p>`
            : html`<p class="muted" id="name-hint">Managers see this name in Floor › Devices, for example “Bar tablet”.</p>`
        }
        <div class="actions">
          <button type="submit" data-action="pair" ?disabled=${pairing} aria-busy=${pairing ? 'true' : 'false'}>
            ${pairing ? 'Pairing…' : 'Pair'}
          </button>
        </div>
      </form>`;
  }

  #paired(paired: Paired) {
    const url = screenOf(paired, this.#deps.pageVenue);
    const screen = paired.role === 'kitchen' ? 'the kitchen display' : 'the floor screen';
    return html`<p>Opening ${screen}…</p>
      <p><a class="button" href=${url} data-screen>Open ${screen} now</a></p>`;
  }

  #edit(value: string): void {
    this.name = value;
    if (this.problem) this.problem = nameError(value);
  }

  readonly #submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const code = this.#code;
    if (!code || this.stage.status === 'pairing') return;
    const problem = nameError(this.name);
    this.problem = problem;
    if (problem) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[name="device-name"]')?.focus();
      return;
    }
    this.stage = { status: 'pairing' };
    this.stage = await this.#pair(code, this.name.trim());
    if (this.stage.status === 'paired') {
      const url = screenOf(this.stage.paired, this.#deps.pageVenue);
      this.#redirect = setTimeout(() => this.#deps.navigate(url), this.#deps.redirectMs ?? 3000);
    }
  };

  async #pair(code: string, name: string): Promise<Stage> {
    const deps = this.#deps;
    let response: Response;
    try {
      const deviceId = await deps.deviceId();
      response = await deps.fetch(apiUrl('/v1/devices/pair', deps.controlled()), {
        method: 'POST',
        cache: 'no-store',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ code, deviceId, name }),
      });
    } catch (error) {
      if (error instanceof TypeError) return { status: 'error', message: OFFLINE_MESSAGE };
      const why = error instanceof Error ? error.message : String(error);
      return { status: 'error', message: `This device could not be paired: ${why}` };
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) return { status: 'error', message: refusalWords(response.status, body) };
    const paired = parsePaired(body);
    return paired
      ? { status: 'paired', paired }
      : { status: 'error', message: 'The venue’s answer was not understood. Try again.' };
  }
}

customElements.define('hearth-pair-page', PairPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-pair-page': PairPage;
  }
}
