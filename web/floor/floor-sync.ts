import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { StaffRole } from '#protocol';
import type { AppServices } from '../app/app-services.ts';
import '../app/op-list.ts';
import type { TrackedOp } from '../app/op-controller.ts';
import type { OutboxEntry } from '../device/outbox-types.ts';
import './failed-ops-inbox.ts';
import type { PaymentTasksInput } from './failed-ops-inbox.ts';
import type { FloorSubmit } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import { ResilienceReportController } from './resilience-report-controller.ts';

/**
 * `<hearth-floor-sync>`: the floor app's Sync view. Everyone sees the failed-operations inbox
 * (this device's refused ops, with the reason and what to do) and the changes made here; a
 * manager also sees the venue's resilience report, fetched only while this view is on screen
 * (its controller is built on first connection of a manager's view). Retry and discard bubble
 * to the page (`hearth-retry`, `hearth-discard`), whose OpController does them.
 */
export class FloorSync extends LitElement {
  static override properties = {
    services: { attribute: false },
    staffRole: { attribute: false },
    entries: { attribute: false },
    ops: { attribute: false },
    names: { attribute: false },
    now: { attribute: false },
    tasks: { attribute: false },
    submit: { attribute: false },
  };

  declare services: AppServices | undefined;
  declare staffRole: StaffRole | undefined;
  declare entries: readonly OutboxEntry[];
  declare ops: readonly TrackedOp[];
  /** Names by id: staff, tables, orders and dishes, for ops read in words. */
  declare names: ReadonlyMap<string, string>;
  declare now: number;
  /** Card payments declined later, for the inbox's follow-up tasks. */
  declare tasks: PaymentTasksInput | undefined;
  declare submit: FloorSubmit | undefined;
  #report: ResilienceReportController | undefined;

  static override styles = [
    floorStyles,
    css`
      :host > * {
        min-width: 0;
      }
      section {
        display: grid;
        gap: 0.5rem;
      }
    `,
  ];

  constructor() {
    super();
    this.entries = [];
    this.ops = [];
    this.names = new Map();
    this.now = Date.now();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const manager = this.staffRole === 'manager' || this.staffRole === 'owner';
    if (
      manager &&
      this.services &&
      !this.#report &&
      (changed.has('staffRole') || changed.has('services'))
    ) {
      const services = this.services;
      // The report's view (and its chart) load after the inbox paints, for managers only.
      void this.updateComplete
        .then(() => new Promise((resolve) => requestAnimationFrame(resolve)))
        .then(() => import('./resilience-view.ts'))
        .catch((error: unknown) => console.error('floor: the sync report did not load', error));
      this.#report = new ResilienceReportController(this, {
        ...services,
        venueId: () => services.venueId,
      });
    }
  }

  override render() {
    const report = this.#report;
    return html`<hearth-failed-ops
        .entries=${this.entries}
        .names=${this.names}
        .now=${this.now}
        .tasks=${this.tasks}
        .staffRole=${this.staffRole}
        .submit=${this.submit}
        .ops=${this.ops}
      ></hearth-failed-ops>
      ${
        report
          ? html`<hearth-resilience-view
              .report=${report.report}
              .error=${report.error}
              .loading=${report.loading}
              .now=${this.now}
              .names=${this.names}
              @hearth-refresh=${() => void report.refresh()}
            ></hearth-resilience-view>`
          : nothing
      }
      <section aria-label="Changes made here">
        <h2>Changes made here</h2>
        <hearth-op-list .ops=${this.ops}></hearth-op-list>
      </section>`;
  }
}

customElements.define('hearth-floor-sync', FloorSync);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-floor-sync': FloorSync;
  }
}
