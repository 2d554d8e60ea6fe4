import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describe, expect, it } from 'vitest';
import type { PageVisibility } from '../../web/app/page-visibility.ts';
import {
  MANAGERS_ONLY,
  parseReport,
  REPORT_POLL_MS,
  ResilienceReportController,
  reportErrorOf,
} from '../../web/floor/resilience-report-controller.ts';
import { eveningReport } from './resilience-fixtures.ts';

// The report's controller with a fake host, fetch, timers and visibility: when it asks, what it
// asks for, and what it says when the answer is not a report.

class Host implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  addController(c: ReactiveController) {
    this.controllers.push(c);
  }
  removeController() {}
  requestUpdate() {
    this.updates++;
  }
  readonly updateComplete = Promise.resolve(true);
  connect() {
    for (const c of this.controllers) c.hostConnected?.();
  }
  disconnect() {
    for (const c of this.controllers) c.hostDisconnected?.();
  }
}

function setup(answer: () => Response | Promise<Response>, controlled = true) {
  const host = new Host();
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const runs = new Map<number, () => void>();
  let visible = true;
  const listeners = new Set<(v: boolean) => void>();
  const visibility: PageVisibility = {
    visible: () => visible,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return answer();
  }) as typeof globalThis.fetch;
  const controller = new ResilienceReportController(host, {
    venueId: () => 'v 1',
    fetch,
    serviceWorker: { controlled: () => controlled },
    visibility,
    timers: {
      every(ms, run) {
        runs.set(ms, run);
        return () => runs.delete(ms);
      },
    },
  });
  const tick = async () => {
    runs.get(REPORT_POLL_MS)?.();
    await controller.refresh();
  };
  const show = (v: boolean) => {
    visible = v;
    for (const l of listeners) l(v);
  };
  return { host, controller, calls, runs, tick, show };
}

const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('ResilienceReportController', () => {
  it('fetches on connect and every 15 s, through the worker’s /api once it controls the page', async () => {
    const { host, controller, calls, tick } = setup(() => json(eveningReport()));
    host.connect();
    await controller.refresh();
    expect(calls[0]?.url).toBe('/api/v1/venues/v%201/resilience');
    expect(calls[0]?.init?.credentials).toBe('same-origin');
    expect(controller.report?.journalHead).toBe(1234);
    expect(controller.error).toBe(null);
    expect(controller.loading).toBe(false);
    await tick();
    expect(calls).toHaveLength(2);
    expect(host.updates).toBeGreaterThan(0);
  });

  it('straight to /v1 before a worker controls the page', async () => {
    const { host, controller, calls } = setup(() => json(eveningReport()), false);
    host.connect();
    await controller.refresh();
    expect(calls[0]?.url).toBe('/v1/venues/v%201/resilience');
  });

  it('not while the page is hidden; at once when it is shown again; never after disconnect', async () => {
    const { host, controller, calls, tick, show, runs } = setup(() => json(eveningReport()));
    host.connect();
    await controller.refresh();
    show(false);
    await tick();
    expect(calls).toHaveLength(1);
    show(true);
    await controller.refresh();
    expect(calls).toHaveLength(2);
    host.disconnect();
    expect(runs.size).toBe(0);
    await controller.refresh();
    expect(calls).toHaveLength(2);
  });

  it('a 403 says only managers see it; a problem by its title; the last report is kept', async () => {
    let next: Response = json(eveningReport());
    const { host, controller } = setup(() => next);
    host.connect();
    await controller.refresh();
    next = json({ title: 'Forbidden', status: 403 }, 403, 'application/problem+json');
    await controller.refresh();
    expect(controller.error).toBe(MANAGERS_ONLY);
    expect(controller.report?.journalHead).toBe(1234);
    next = json({ title: 'The venue is not known', status: 404 }, 404, 'application/problem+json');
    await controller.refresh();
    expect(controller.error).toBe('The venue is not known');
    next = json(eveningReport());
    await controller.refresh();
    expect(controller.error).toBe(null);
  });

  it('no answer, or not a report, says so', async () => {
    let fail = true;
    const { host, controller } = setup(() => {
      if (fail) throw new TypeError('Failed to fetch');
      return new Response('<html>portal</html>', { status: 200 });
    });
    host.connect();
    await controller.refresh();
    expect(controller.error).toMatch(/^No connection to the server/);
    fail = false;
    await controller.refresh();
    expect(controller.error).toMatch(/shape/);
    expect(controller.report).toBe(null);
  });

  it('reportErrorOf and parseReport, pure', () => {
    expect(reportErrorOf(403, undefined)).toBe(MANAGERS_ONLY);
    expect(reportErrorOf(500, { title: ' Internal error ' })).toBe('Internal error');
    expect(reportErrorOf(502, undefined)).toBe('The sync report could not be loaded (HTTP 502)');
    expect(parseReport(eveningReport())).not.toBe(null);
    expect(parseReport({ ...eveningReport(), samples: 'x' })).toBe(null);
    expect(parseReport({ venueId: 'v' })).toBe(null);
    expect(parseReport(null)).toBe(null);
  });
});
