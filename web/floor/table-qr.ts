import { css, html, LitElement, nothing } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Table } from '#protocol';
import { loadQr, type RenderSvg } from './qr-svg.ts';
import { byLabel } from './table-state.ts';

/** The guest app for one table, as its QR code carries it (the guest page reads both params). */
export function guestUrl(guestOrigin: string, venueId: string, label: string): string {
  const origin = guestOrigin.replace(/\/+$/, '');
  return `${origin}/guest/?venue=${encodeURIComponent(venueId)}&table=${encodeURIComponent(label)}`;
}

/**
 * `<hearth-table-qr .tables guestOrigin venueId>`: a printable sheet of every table's QR code,
 * in label order, each pointing at the guest app on `guestOrigin` (the cloud's public origin).
 * Each card: the code, "Table 5", "Scan to order" and the URL in small print. Print prints
 * the cards alone, several to an A4 page, none split across two.
 */
export class TableQrSheet extends LitElement {
  static override properties = {
    tables: { attribute: false },
    guestOrigin: { type: String },
    venueId: { type: String },
    _svg: { state: true },
    _error: { state: true },
  };

  declare tables: readonly Table[];
  declare guestOrigin: string;
  declare venueId: string;
  declare _svg: RenderSvg | undefined;
  declare _error: string | null;
  /** Settles once the QR library is loaded (or failed to) and the sheet asked to render. */
  loaded: Promise<void> = Promise.resolve();
  /** SVG by URL: a table's code is made once, not on every render. */
  readonly #codes = new Map<string, string>();

  constructor() {
    super();
    this.tables = [];
    this.guestOrigin = '';
    this.venueId = '';
    this._svg = undefined;
    this._error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this._svg) this.#load();
  }

  #load(): void {
    this._error = null;
    this.loaded = loadQr('M').then(
      (render) => {
        this._svg = render;
      },
      (error: unknown) => {
        this._error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  static override styles = css`
    /* A light sheet of its own on screen, whatever the page's theme: what is seen is printed. */
    :host {
      display: grid;
      gap: 1rem;
      padding: 1rem;
      color: #1b1b1b;
      background: #ece8e4;
      border-radius: 0.75rem;
      font-family: system-ui, sans-serif;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
    }
    .toolbar p {
      margin: 0;
      color: inherit;
    }
    button {
      min-height: 44px;
      min-width: 44px;
      padding: 0.5rem 1.25rem;
      font: inherit;
      font-weight: 600;
      color: #fff;
      background: #3e1e18;
      border: 0;
      border-radius: 0.5rem;
      cursor: pointer;
    }
    button:disabled {
      cursor: default;
      opacity: 0.75;
    }
    .sheet {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
      gap: 1rem;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .card {
      display: grid;
      justify-items: center;
      gap: 0.35rem;
      padding: 1rem;
      text-align: center;
      color: #111;
      background: #fff;
      border: 1px solid #8a8a8a;
      border-radius: 0.75rem;
      break-inside: avoid;
      page-break-inside: avoid;
    }
    .code {
      width: 100%;
      max-width: 12rem;
      aspect-ratio: 1;
    }
    .code svg {
      display: block;
      width: 100%;
      height: 100%;
    }
    h2 {
      margin: 0.25rem 0 0;
      font-size: 1.6rem;
    }
    .cta {
      margin: 0;
      font-size: 1.1rem;
      font-weight: 600;
    }
    .url {
      margin: 0;
      font-size: 0.75rem;
      color: #333;
      word-break: break-all;
    }
    .error {
      color: #a12a1b;
    }
    @media print {
      :host {
        display: block;
        padding: 0;
        color: #000;
        background: none;
      }
      .toolbar {
        display: none;
      }
      /* Two cards across, three down on A4. */
      .sheet {
        display: grid;
        grid-template-columns: repeat(2, 85mm);
        gap: 8mm;
        justify-content: center;
      }
      .card {
        box-sizing: border-box;
        height: 84mm;
        padding: 4mm;
        border: 0.3mm dashed #000;
        border-radius: 0;
        align-content: center;
      }
      .code {
        width: 50mm;
        max-width: none;
      }
    }
  `;

  override render() {
    const ready = Boolean(this._svg) && this.tables.length > 0 && this.#configured;
    return html`<div class="toolbar">
        <button type="button" ?disabled=${!ready} @click=${() => window.print()}>Print</button>
        ${this.#status()}
      </div>
      ${this.#configured ? this.#sheet() : nothing}`;
  }

  get #configured(): boolean {
    return this.guestOrigin !== '' && this.venueId !== '';
  }

  #status() {
    if (!this.#configured)
      return html`<p role="status">The guest app's address is not known yet.</p>`;
    if (this._error)
      return html`<p class="error" role="alert">
        The QR codes could not be made: ${this._error}.
        <button type="button" @click=${() => this.#load()}>Try again</button>
      </p>`;
    if (!this._svg) return html`<p role="status">Making the QR codes…</p>`;
    if (this.tables.length === 0) return html`<p role="status">No tables yet.</p>`;
    const n = this.tables.length;
    return html`<p role="status">${n} ${n === 1 ? 'table' : 'tables'}, one card each.</p>`;
  }

  #sheet() {
    const tables = [...this.tables].sort(byLabel);
    return html`<ul class="sheet">
      ${tables.map((table) => {
        const url = guestUrl(this.guestOrigin, this.venueId, table.label);
        return html`<li class="card" data-table=${table.id}>
          <div class="code" role="img" aria-label=${`QR code for table ${table.label}`}>
            ${this._svg ? unsafeHTML(this.#code(this._svg, url)) : nothing}
          </div>
          <h2>Table ${table.label}</h2>
          <p class="cta">Scan to order</p>
          <p class="url">${url}</p>
        </li>`;
      })}
    </ul>`;
  }

  /** The SVG uqr made from the URL: numbers and fixed markup only, nothing from the venue. */
  #code(render: RenderSvg, url: string): string {
    let svg = this.#codes.get(url);
    if (svg === undefined) {
      svg = render(url);
      this.#codes.set(url, svg);
    }
    return svg;
  }
}

customElements.define('hearth-table-qr', TableQrSheet);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-table-qr': TableQrSheet;
  }
}
