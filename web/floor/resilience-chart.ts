import { css, html, LitElement, type PropertyValues } from 'lit';
import type uPlot from 'uplot';
import { formatClock } from '../app/resilience-text.ts';
import { floorStyles } from './floor-styles.ts';
import {
  CHART_WINDOW_MS,
  type ChartData,
  chartDataOf,
  chartSummaryOf,
  type ResilienceSample,
} from './resilience-view-state.ts';

interface Library {
  readonly UPlot: typeof uPlot;
  readonly sheet: CSSStyleSheet;
}

/**
 * uPlot and its stylesheet, loaded on the first chart drawn and once: never part of the floor
 * page's first paint. A failed load (offline before the chunk was cached) may be tried again.
 */
let library: Promise<Library> | undefined;
function loadUplot(): Promise<Library> {
  library ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css?inline')]).then(
    ([plot, style]) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(style.default);
      return { UPlot: plot.default, sheet };
    },
  );
  library.catch(() => {
    library = undefined;
  });
  return library;
}

const HEIGHT = 220;

/** A colour token of the floor palette, read from the element (canvas cannot use CSS variables). */
const token = (el: Element, name: string, fallback: string): string =>
  getComputedStyle(el).getPropertyValue(name).trim() || fallback;

/**
 * `<hearth-resilience-chart .samples .now>`: ops waiting on devices and changes not in the
 * cloud over the last 3 hours, minutes spent replaying shaded, with the same in words beside it
 * (the canvas itself is hidden from screen readers). uPlot loads when the first chart is drawn.
 */
export class ResilienceChart extends LitElement {
  static override properties = {
    samples: { attribute: false },
    now: { attribute: false },
    _failed: { state: true },
  };

  declare samples: readonly ResilienceSample[] | undefined;
  declare now: number;
  declare _failed: boolean;
  /** Settles once the chart is drawn (or its library failed to load) after the last change. */
  drawn: Promise<void> = Promise.resolve();

  static override styles = [
    floorStyles,
    css`
      :host {
        padding: 0;
        background: transparent;
      }
      figure {
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      .plot {
        min-height: ${HEIGHT}px;
        overflow: hidden;
      }
      p {
        margin: 0;
      }
      .key {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
      }
      .swatch {
        display: inline-block;
        width: 1.5rem;
        height: 0;
        margin-right: 0.35rem;
        vertical-align: middle;
        border-top: 3px solid var(--floor-accent);
      }
      .swatch.journal {
        border-top: 3px dashed var(--floor-ok);
      }
      .swatch.replay {
        height: 0.9rem;
        border: 0;
        background: rgba(255, 210, 122, 0.3);
      }
    `,
  ];

  #plot: uPlot | undefined;
  #data: ChartData = { xs: [], outbox: [], journal: [], replaying: [] };
  #resize: ResizeObserver | undefined;

  constructor() {
    super();
    this.samples = undefined;
    this.now = Date.now();
    this._failed = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#plot?.destroy();
    this.#plot = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('samples') || changed.has('now'))
      this.#data = chartDataOf(this.samples, this.now);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('samples') || changed.has('now')) this.drawn = this.#draw();
  }

  override render() {
    const clock = (ms: number) => formatClock(ms, this.now);
    const hours = CHART_WINDOW_MS / 3_600_000;
    return html`<figure>
      <div class="plot" aria-hidden="true" ?hidden=${this.#data.xs.length === 0}></div>
      <figcaption>
        <p class="key muted">
          <span><span class="swatch"></span>Ops waiting on devices</span>
          <span><span class="swatch journal"></span>Changes not in the cloud (dashed)</span>
          <span><span class="swatch replay"></span>Sending queued changes (shaded)</span>
        </p>
        <p class="summary" data-summary>
          Last ${hours} hours: ${chartSummaryOf(this.#data, clock)}
        </p>
        ${this._failed ? html`<p class="error">The chart could not be drawn here; the summary above says what it shows.</p>` : ''}
      </figcaption>
    </figure>`;
  }

  async #draw(): Promise<void> {
    const data = this.#data;
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!target) return;
    if (data.xs.length === 0) {
      this.#plot?.destroy();
      this.#plot = undefined;
      return;
    }
    let lib: Library;
    try {
      lib = await loadUplot();
    } catch (error) {
      console.warn('could not load the chart library', error);
      this._failed = true;
      return;
    }
    this._failed = false;
    const root = this.shadowRoot;
    if (root && !root.adoptedStyleSheets.includes(lib.sheet))
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, lib.sheet];
    const columns: uPlot.AlignedData = [data.xs, data.outbox, data.journal];
    if (this.#plot) {
      this.#plot.setData(columns);
      return;
    }
    this.#plot = new lib.UPlot(this.#options(target), columns, target);
    this.#resize = new ResizeObserver(() => {
      this.#plot?.setSize({ width: this.#width(target), height: HEIGHT });
    });
    this.#resize.observe(target);
  }

  #width(target: HTMLElement): number {
    return Math.max(240, Math.floor(target.getBoundingClientRect().width));
  }

  #options(target: HTMLElement): uPlot.Options {
    const fg = token(this, '--floor-muted', '#cbbdb6');
    const line = token(this, '--floor-line', '#7a6a63');
    const axis = {
      stroke: fg,
      font: '14px system-ui, sans-serif',
      grid: { stroke: line, width: 1 },
      ticks: { stroke: line, width: 1 },
    };
    return {
      width: this.#width(target),
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        // Always the whole window up to now: one sample alone would otherwise span years.
        x: { time: true, range: () => [(this.now - CHART_WINDOW_MS) / 1000, this.now / 1000] },
        y: { range: (_u, _min, max) => [0, Math.max(4, max)] },
      },
      axes: [axis, { ...axis, size: 48 }],
      series: [
        {},
        {
          label: 'Ops waiting on devices',
          stroke: token(this, '--floor-accent', '#f0b35a'),
          width: 3,
        },
        {
          label: 'Changes not in the cloud',
          stroke: token(this, '--floor-ok', '#9fe0a9'),
          width: 3,
          dash: [8, 5],
        },
      ],
      hooks: {
        // Replaying minutes: shaded bands under the lines.
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = 'rgba(255, 210, 122, 0.22)';
            for (const [from, to] of this.#data.replaying) {
              const x0 = u.valToPos(from, 'x', true);
              const x1 = u.valToPos(to, 'x', true);
              ctx.fillRect(x0, u.bbox.top, Math.max(3, x1 - x0), u.bbox.height);
            }
            ctx.restore();
          },
        ],
      },
    };
  }
}

customElements.define('hearth-resilience-chart', ResilienceChart);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-resilience-chart': ResilienceChart;
  }
}
