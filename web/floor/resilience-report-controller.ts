import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { apiUrl } from '../app/api-url.ts';
import { alwaysVisible, type PageVisibility } from '../app/page-visibility.ts';
import type { ServiceWorkerLink } from '../app/service-worker-link.ts';
import { browserTimers, type Timers } from '../app/timers.ts';
import type { ResilienceReportView } from './resilience-view-state.ts';

/** How often the report is fetched again while the view is on screen. */
export const REPORT_POLL_MS = 15_000;

/** Said for a 403: the route is the managers'. */
export const MANAGERS_ONLY = 'Only a manager sees the venue’s sync report';

/**
 * What a failed fetch says: a 403 in words, a problem+json by its title, else the status.
 * Pure, for tests.
 */
export function reportErrorOf(status: number, body: unknown): string {
  if (status === 403) return MANAGERS_ONLY;
  if (typeof body === 'object' && body !== null) {
    const title = (body as { title?: unknown }).title;
    if (typeof title === 'string' && title.trim()) return title.trim();
  }
  return `The sync report could not be loaded (HTTP ${status})`;
}

/**
 * The report if the body has its shape (checked by hand: no zod on the floor page's first
 * paint); null for anything else, such as a captive portal's page.
 */
export function parseReport(body: unknown): ResilienceReportView | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const ok =
    typeof b.venueId === 'string' &&
    typeof b.journalHead === 'number' &&
    typeof b.at === 'string' &&
    Array.isArray(b.nodes) &&
    Array.isArray(b.devices) &&
    (b.samples === undefined || Array.isArray(b.samples)) &&
    (b.connectivity === undefined ||
      (typeof b.connectivity === 'object' &&
        b.connectivity !== null &&
        Array.isArray((b.connectivity as { history?: unknown }).history)));
  return ok ? (body as ResilienceReportView) : null;
}

export interface ReportDeps {
  /** The venue whose report to fetch; null while no one is signed in. */
  readonly venueId: () => string | null;
  readonly fetch: typeof fetch;
  readonly serviceWorker: Pick<ServiceWorkerLink, 'controlled'>;
  readonly visibility?: PageVisibility;
  readonly timers?: Timers;
  readonly intervalMs?: number;
}

/**
 * Fetches `GET …/v1/venues/:venueId/resilience` for the manager's resilience view: at once when
 * its host connects, every 15 s while the host is connected and the page on screen, and at once
 * when the page comes back on screen. A failed fetch keeps the last report and says why.
 *
 * @example
 * readonly report = new ResilienceReportController(this, { venueId, fetch, serviceWorker });
 * render() {
 *   return html`<hearth-resilience-view .report=${this.report.report} .error=${this.report.error}
 *     .now=${Date.now()}></hearth-resilience-view>`;
 * }
 */
export class ResilienceReportController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: ReportDeps;
  #stops: (() => void)[] = [];
  #connected = false;
  #inFlight: Promise<void> | undefined;

  report: ResilienceReportView | null = null;
  error: string | null = null;
  loading = false;

  constructor(host: ReactiveControllerHost, deps: ReportDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  hostConnected(): void {
    const visibility = this.#deps.visibility ?? alwaysVisible;
    const timers = this.#deps.timers ?? browserTimers;
    this.#connected = true;
    this.#stops = [
      visibility.subscribe((visible) => {
        if (visible) void this.refresh();
      }),
      timers.every(this.#deps.intervalMs ?? REPORT_POLL_MS, () => void this.refresh()),
    ];
    void this.refresh();
  }

  hostDisconnected(): void {
    this.#connected = false;
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  /** Fetches the report now, unless one is on its way, the host is gone or the page hidden. */
  refresh(): Promise<void> {
    const visible = (this.#deps.visibility ?? alwaysVisible).visible();
    if (!this.#connected || !visible) return Promise.resolve();
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<void> {
    const venueId = this.#deps.venueId();
    if (!venueId) return;
    this.loading = true;
    this.#host.requestUpdate();
    const path = `/v1/venues/${encodeURIComponent(venueId)}/resilience` as const;
    let report: ResilienceReportView | null = null;
    let error: string | null = null;
    try {
      const response = await this.#deps.fetch(apiUrl(path, this.#deps.serviceWorker.controlled()), {
        cache: 'no-store',
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) error = reportErrorOf(response.status, body);
      else {
        report = parseReport(body);
        if (!report) error = 'The sync report came back in a shape this app does not read';
      }
    } catch {
      error = 'No connection to the server: the sync report could not be loaded';
    }
    if (!this.#connected) return;
    this.loading = false;
    if (report) this.report = report;
    this.error = error;
    this.#host.requestUpdate();
  }
}
