import { css, html, LitElement, nothing } from 'lit';
import './resilience-chart.ts';
import { floorStyles } from './floor-styles.ts';
import {
  connectivityOf,
  type DeviceRow,
  deviceRowsOf,
  journalOf,
  type NameBook,
  type NodeRow,
  nodeRowsOf,
  type ResilienceReportView,
} from './resilience-view-state.ts';

/**
 * `<hearth-resilience-view>`: the manager's sync report for the venue. The connection to the
 * cloud now and its history, the journal the cloud has not confirmed, each venue relay and each
 * staff device with what it holds (stale ones flagged in words), and a chart of the queues over
 * the last hours (uPlot, loaded only when there are samples to draw). Properties in; "Check now"
 * fires `hearth-refresh` (bubbles, composed) for the page to fetch the report again.
 *
 * ```ts
 * html`<hearth-resilience-view
 *   .report=${reports.report} .error=${reports.error} .loading=${reports.loading}
 *   .now=${Date.now()} .names=${names}
 *   @hearth-refresh=${() => reports.refresh()}
 * ></hearth-resilience-view>`
 * ```
 */
export class ResilienceViewElement extends LitElement {
  static override properties = {
    report: { attribute: false },
    error: { attribute: false },
    loading: { attribute: false },
    now: { attribute: false },
    names: { attribute: false },
  };

  /** The venue's `GET …/resilience` answer; null before the first one. */
  declare report: ResilienceReportView | null;
  /** Why the report could not be fetched, in words; shown above the last report kept. */
  declare error: string | null;
  declare loading: boolean;
  /** Device time (ms) ages are measured against. */
  declare now: number;
  /** Display names by device id and member id. */
  declare names: NameBook;

  static override styles = [
    floorStyles,
    css`
      p {
        margin: 0;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
      section {
        display: grid;
        gap: 0.5rem;
      }
      .headline {
        font-size: 1.2rem;
        font-weight: 700;
      }
      .headline.trouble,
      .flag {
        color: var(--floor-bad);
      }
      .flag {
        display: inline-block;
        margin-left: 0.25rem;
        padding: 0 0.4rem;
        border: 2px solid currentColor;
        border-radius: 0.25rem;
        font-weight: 700;
        font-size: 0.9em;
      }
      .scroll {
        overflow-x: auto;
        border-radius: 0.5rem;
      }
      .scroll:focus-visible {
        outline: 3px solid var(--floor-fg);
        outline-offset: 2px;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        min-width: max-content;
        background: var(--floor-surface);
      }
      caption {
        text-align: left;
        padding: 0 0 0.25rem;
        color: var(--floor-muted);
      }
      th,
      td {
        text-align: left;
        vertical-align: top;
        padding: 0.5rem 0.6rem;
        border-bottom: 1px solid var(--floor-line);
      }
      thead th {
        color: var(--floor-muted);
        font-weight: 600;
      }
      /* The row's name stays in view while a wide table scrolls on a phone. */
      tbody th[scope='row'] {
        position: sticky;
        left: 0;
        background: var(--floor-surface);
      }
      td.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      tr.attention td:first-child,
      tr.attention th:first-child {
        border-left: 4px solid var(--floor-bad);
      }
    `,
  ];

  constructor() {
    super();
    this.report = null;
    this.error = null;
    this.loading = false;
    this.now = Date.now();
    this.names = new Map();
  }

  override render() {
    const report = this.report;
    return html`<header>
        <h2>Sync report</h2>
        <button
          type="button"
          class="secondary"
          ?disabled=${this.loading}
          @click=${() =>
            this.dispatchEvent(
              new CustomEvent('hearth-refresh', { bubbles: true, composed: true }),
            )}
        >
          ${this.loading ? 'Checking…' : 'Check now'}
        </button>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        report
          ? this.#report(report)
          : this.error
            ? nothing
            : html`<p class="muted" role="status">Loading the venue’s sync report…</p>`
      }`;
  }

  #report(report: ResilienceReportView) {
    const now = this.now;
    const journal = journalOf(report, now);
    return html`<p class="muted">As of ${journal.reportAtText}.</p>
      ${this.#connectivity(report)}
      <section aria-labelledby="journal-heading">
        <h3 id="journal-heading">Venue’s changes</h3>
        <p class="headline ${journal.notInCloud > 0 ? 'trouble' : ''}" data-journal>
          ${journal.summary}
        </p>
        <table>
          <caption class="visually-hidden">The cloud’s journal</caption>
          <tbody>
            <tr>
              <th scope="row">Changes in the cloud’s journal</th>
              <td class="num" data-head>${journal.head}</td>
            </tr>
            <tr>
              <th scope="row">Not in the cloud yet</th>
              <td class="num" data-not-in-cloud>${journal.notInCloud}</td>
            </tr>
          </tbody>
        </table>
      </section>
      ${this.#nodes(nodeRowsOf(report, now))}
      ${this.#devices(deviceRowsOf(report, now, this.names))}
      <section aria-labelledby="chart-heading">
        <h3 id="chart-heading">Queues over the last hours</h3>
        ${
          report.samples === undefined
            ? html`<p class="muted">This cloud does not keep samples yet.</p>`
            : html`<hearth-resilience-chart
                .samples=${report.samples}
                .now=${now}
              ></hearth-resilience-chart>`
        }
      </section>`;
  }

  #connectivity(report: ResilienceReportView) {
    const view = connectivityOf(report, this.now);
    return html`<section aria-labelledby="link-heading">
      <h3 id="link-heading">Connection to the cloud</h3>
      <p class="headline ${view.trouble ? 'trouble' : ''}" data-connectivity>
        ${view.headline ?? 'The report does not say (an older cloud)'}
      </p>
      ${
        view.history.length === 0
          ? nothing
          : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="history-caption">
              <table data-table="history">
                <caption id="history-caption">Connection history, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col">State</th>
                    <th scope="col">For</th>
                  </tr>
                </thead>
                <tbody>
                  ${view.history.map(
                    (row) => html`<tr class=${row.trouble ? 'attention' : ''}>
                      <td>${row.atText}</td>
                      <td>${row.text}</td>
                      <td>${row.forText}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
  }

  #nodes(rows: readonly NodeRow[]) {
    return html`<section aria-labelledby="nodes-heading">
      <h3 id="nodes-heading">Venue relays (${rows.length})</h3>
      ${
        rows.length === 0
          ? html`<p class="muted">No venue relay: devices talk to the cloud directly.</p>`
          : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="nodes-caption">
              <table data-table="nodes">
                <caption id="nodes-caption">Each relay’s link to the cloud</caption>
                <thead>
                  <tr>
                    <th scope="col">Relay</th>
                    <th scope="col">Link to the cloud</th>
                    <th scope="col">Received up to</th>
                    <th scope="col">Behind</th>
                    <th scope="col">Not in the cloud</th>
                    <th scope="col">Last heard</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (row) => html`<tr data-node=${row.nodeId} class=${row.stale ? 'attention' : ''}>
                      <th scope="row">
                        ${row.name}
                        <span class="muted">(${row.statusText})</span>
                        ${row.stale ? html`<span class="flag">Not heard from</span>` : nothing}
                      </th>
                      <td>${row.uplinkText}</td>
                      <td class="num">${row.ackedSeq}</td>
                      <td>${row.lagText}</td>
                      <td class="num">${row.notInCloud}</td>
                      <td>${row.lastSeenText}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
  }

  #devices(rows: readonly DeviceRow[]) {
    return html`<section aria-labelledby="devices-heading">
      <h3 id="devices-heading">Staff devices (${rows.length})</h3>
      ${
        rows.length === 0
          ? html`<p class="muted">No staff device has reported yet.</p>`
          : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="devices-caption">
              <table data-table="devices">
                <caption id="devices-caption">What each device has not sent yet</caption>
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">Waiting to send</th>
                    <th scope="col">Oldest waiting</th>
                    <th scope="col">Failed</th>
                    <th scope="col">Last heard</th>
                    <th scope="col">Reports through</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (row) => html`<tr
                      data-device=${row.deviceId}
                      data-stale=${String(row.stale)}
                      class=${row.attention ? 'attention' : ''}
                    >
                      <th scope="row">
                        ${row.name}
                        ${row.stale ? html`<span class="flag">Silent</span>` : nothing}
                      </th>
                      <td class="num">${row.outboxDepth}</td>
                      <td>${row.oldestText}</td>
                      <td class="num">${row.failedOps}</td>
                      <td>${row.lastHeardText}</td>
                      <td>${row.viaText}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
  }
}

customElements.define('hearth-resilience-view', ResilienceViewElement);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-resilience-view': ResilienceViewElement;
  }
}
