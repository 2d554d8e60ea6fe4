// The venue-day report's charts, drawn with uPlot in a headless Chromium page (report.ts puts
// uPlot and this file in the page, then screenshots each chart). Plain browser JavaScript, as
// one classic script: `drawCharts(specs)` turns the chart specs report.ts shaped (series
// already computed) into uPlot charts, one `<div id="chart-<id>">` each.
/* global uPlot */

const FONT = '14px "DejaVu Sans", "Liberation Sans", system-ui, sans-serif';
const SMALL_FONT = '12px "DejaVu Sans", "Liberation Sans", system-ui, sans-serif';
const TEXT = '#222';
const GRID = '#e3e3e3';
const SHADE = {
  wifi: { fill: 'rgba(240, 160, 0, 0.16)', label: '#8a5a00' },
  wan: { fill: 'rgba(120, 70, 200, 0.13)', label: '#4b2a8a' },
};

/** A service minute (minutes after the service day's midnight) as a clock time, HH:MM. */
function clock(minute) {
  const m = Math.round(minute);
  const dayMinute = ((m % 1440) + 1440) % 1440;
  return `${String(Math.floor(dayMinute / 60)).padStart(2, '0')}:${String(dayMinute % 60).padStart(2, '0')}`;
}

/** Milliseconds, short: 850 ms, 1.2 s, 3 min. */
function duration(ms) {
  if (ms == null) return '';
  if (ms < 1) return `${ms.toPrecision(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toPrecision(2)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toPrecision(2)} min`;
  return `${+(ms / 3_600_000).toPrecision(2)} h`;
}

/** Grid lines of a latency axis (ms): 1 ms … 10 h. */
const DURATION_SPLITS = [1, 10, 100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 36_000_000];

const count = (v) => (v == null ? '' : Math.round(v).toLocaleString('en-GB'));

function axis(extra) {
  return {
    stroke: TEXT,
    font: FONT,
    labelFont: FONT,
    grid: { stroke: GRID, width: 1 },
    ticks: { stroke: GRID, width: 1 },
    ...extra,
  };
}

const TICK_STEPS = [5, 10, 15, 30, 60, 120, 180, 240, 360, 720];

/**
 * The x axis of a time chart: clock times on round minutes. With a shortened night the ticks
 * are spaced for the evening and the morning, and the night has ticks at its edges only.
 */
function clockAxis(spec) {
  const night = spec.night;
  if (!night)
    return axis({
      incrs: [1, ...TICK_STEPS],
      space: 70,
      values: (_u, splits) => splits.map(clock),
    });
  return axis({
    values: (_u, splits) => splits.map(clock),
    // Every split gets its label (uPlot's default keeps only multiples of its own step).
    filter: (_u, splits) => splits,
    splits: (u, _i, min, max) => {
      const width = u.bbox.width / uPlot.pxRatio;
      const drawn = max - min - (night.to - night.from) + night.width;
      const step = TICK_STEPS.find((s) => (s * width) / drawn >= 70) ?? 720;
      // The night's edges, and round ticks outside it not too close to them.
      const ticks = [night.from, night.to];
      const clear = (t) =>
        Math.abs(t - night.from) >= step * 0.6 && Math.abs(t - night.to) >= step * 0.6;
      for (let t = Math.ceil(min / step) * step; t <= max; t += step)
        if ((t < night.from || t > night.to) && clear(t)) ticks.push(t);
      return ticks.sort((a, b) => a - b);
    },
  });
}

/** A scale drawing the minutes in `night` shortened to `night.width` minutes' worth. */
function nightScale(night) {
  const k = night.width / (night.to - night.from);
  const shortened = night.to - night.from - night.width;
  return {
    distr: 100,
    fwd: (v) =>
      v <= night.from ? v : v < night.to ? night.from + (v - night.from) * k : v - shortened,
    bwd: (v) =>
      v <= night.from
        ? v
        : v < night.from + night.width
          ? night.from + (v - night.from) / k
          : v + shortened,
  };
}

/** The shortened night marked: a break on the x axis at each edge, and said in words. */
function markNight(night) {
  return (u) => {
    const ctx = u.ctx;
    const px = uPlot.pxRatio;
    const x0 = u.valToPos(night.from, 'x', true);
    const x1 = u.valToPos(night.to, 'x', true);
    const bottom = u.bbox.top + u.bbox.height;
    ctx.save();
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1.5 * px;
    for (const x of [x0, x1]) {
      ctx.setLineDash([4 * px, 4 * px]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
    }
    ctx.fillStyle = '#444';
    ctx.font = SMALL_FONT.replace('12px', `${Math.round(12 * px)}px`);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    // Between the two edges' clock times, on the axis.
    const words = 'night shortened';
    if (ctx.measureText(words).width + 60 * px < x1 - x0)
      ctx.fillText(words, (x0 + x1) / 2, bottom + 20 * px);
    ctx.restore();
  };
}

/** Top padding of time charts: room above the plot for the outages' names. */
const LABEL_ROW = 16;
const LABEL_ROWS = 2;

/** Outage windows shaded behind a time chart's series, each named above the plot. */
function shadeOutages(outages) {
  return (u) => {
    const ctx = u.ctx;
    const px = uPlot.pxRatio;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.font = SMALL_FONT.replace('12px', `${Math.round(12 * px)}px`);
    ctx.textBaseline = 'bottom';
    // Names go on the first row above the plot where they do not run into another's.
    const rowEnds = Array.from({ length: LABEL_ROWS }, () => Number.NEGATIVE_INFINITY);
    for (const outage of outages) {
      const x0 = Math.max(left, u.valToPos(outage.from, 'x', true));
      const x1 = Math.min(left + width, u.valToPos(outage.to, 'x', true));
      if (x1 < left || x0 > left + width) continue;
      const style = SHADE[outage.link] ?? SHADE.wan;
      ctx.fillStyle = style.fill;
      ctx.fillRect(x0, top, Math.max(3 * px, x1 - x0), height);
      const textWidth = ctx.measureText(outage.label).width;
      const x = Math.min(x0, left + width - textWidth);
      const row = rowEnds.findIndex((end) => end + 8 * px <= x);
      if (row === -1) continue;
      rowEnds[row] = x + textWidth;
      ctx.fillStyle = style.label;
      ctx.fillText(outage.label, x, top - (LABEL_ROWS - 1 - row) * LABEL_ROW * px - 3 * px);
      ctx.fillRect(
        x0,
        top - (LABEL_ROWS - 1 - row) * LABEL_ROW * px - 2 * px,
        1 * px,
        (LABEL_ROWS - 1 - row) * LABEL_ROW * px + 2 * px,
      );
    }
    ctx.restore();
  };
}

/** Legend-only series: the shading's key (no data, on a scale of their own). */
function shadeKey(outages) {
  const links = [...new Set(outages.map((o) => o.link))];
  return links.map((link) => ({
    label: link === 'wifi' ? 'Wi-Fi outage (shaded)' : 'WAN outage (shaded)',
    scale: 'key',
    stroke: SHADE[link].label,
    fill: SHADE[link].fill,
    width: 0,
    points: { show: false },
  }));
}

/** One colour box per state, in the legend only. */
function stateKey(states) {
  return states.map((state) => ({
    label: state.label,
    scale: 'key',
    stroke: state.color,
    fill: state.color,
    width: 0,
    points: { show: false },
  }));
}

function base(spec) {
  return {
    title: spec.title,
    width: spec.width,
    height: spec.height,
    cursor: { show: false },
    legend: { live: false },
    scales: { key: { range: [0, 1] } },
  };
}

function timeChart(spec) {
  const opts = base(spec);
  opts.scales.x = {
    time: false,
    range: () => [spec.range[0], spec.range[1]],
    ...(spec.night && nightScale(spec.night)),
  };
  opts.hooks = {
    drawClear: [shadeOutages(spec.outages)],
    draw: spec.night ? [markNight(spec.night)] : [],
  };
  opts.padding = [LABEL_ROW * LABEL_ROWS + 6, 16, 0, 0];
  return opts;
}

/** Line or stacked-area charts over the day (ops per minute, latency, depths). */
function seriesChart(spec) {
  const opts = timeChart(spec);
  const y = spec.y;
  opts.scales.y = y.log
    ? {
        distr: 3,
        log: 10,
        range: (_u, min, max) => [Math.max(0.1, min / 2), Math.max(10, max * 2)],
      }
    : { range: (_u, _min, max) => [0, Math.max(y.min ?? 4, max * 1.05)] };
  const format = y.unit === 'ms' ? (v) => duration(v) : count;
  opts.axes = [
    clockAxis(spec),
    axis({
      label: y.label,
      size: 80,
      values: (_u, splits) => splits.map(format),
      // Round durations rather than powers of ten of milliseconds.
      ...(y.log && {
        splits: (_u, _i, min, max) => DURATION_SPLITS.filter((v) => v >= min && v <= max),
        filter: (_u, splits) => splits,
      }),
    }),
  ];
  opts.series = [
    {},
    ...spec.series.map((s) => ({
      label: s.label,
      stroke: s.color,
      width: s.width ?? 2,
      dash: s.dash,
      fill: s.fill,
      spanGaps: false,
      points: { show: false },
    })),
    ...shadeKey(spec.outages),
  ];
  const key = shadeKey(spec.outages).map(() => spec.xs.map(() => null));
  return { opts, data: [spec.xs, ...spec.series.map((s) => s.data), ...key] };
}

/** Who was in which connectivity state when: one row per party, a coloured band per span. */
function timelineChart(spec) {
  const opts = timeChart(spec);
  const rows = spec.rows;
  opts.scales.y = { range: [-0.5, rows.length - 0.5] };
  // Row 0 at the top.
  const yOf = (row) => rows.length - 1 - row;
  opts.axes = [
    clockAxis(spec),
    axis({
      size: spec.rowLabelWidth,
      grid: { show: false },
      ticks: { show: false },
      splits: () => rows.map((_r, i) => i),
      values: (_u, splits) => splits.map((v) => rows[rows.length - 1 - v] ?? ''),
    }),
  ];
  opts.series = [{}, ...stateKey(spec.states), ...shadeKey(spec.outages)];
  const colours = Object.fromEntries(
    spec.states.flatMap((s) => s.names.map((name) => [name, s.color])),
  );
  opts.hooks.draw.unshift((u) => {
    const ctx = u.ctx;
    const rowHeight = Math.abs(u.valToPos(0, 'y', true) - u.valToPos(1, 'y', true));
    const band = Math.min(rowHeight * 0.7, 28 * uPlot.pxRatio);
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    // Healthy spans first, then the others over them at least 3 px wide: a 45 s blip in a
    // 16-hour day still shows.
    for (const span of spec.spans) {
      const x0 = u.valToPos(span.from, 'x', true);
      const x1 = u.valToPos(span.to, 'x', true);
      const y = u.valToPos(yOf(span.row), 'y', true);
      const minWidth = span.healthy ? 1 : 3 * uPlot.pxRatio;
      ctx.fillStyle = colours[span.state] ?? '#999';
      ctx.fillRect(x0, y - band / 2, Math.max(minWidth, x1 - x0), band);
    }
    ctx.restore();
  });
  const data = [spec.range, ...opts.series.slice(1).map(() => [null, null])];
  return { opts, data };
}

/** Bars, one per category (replay time per outage), the value written above each. */
function barChart(spec) {
  const opts = base(spec);
  const n = spec.categories.length;
  const xs = spec.categories.map((_c, i) => i);
  const max = Math.max(1, ...spec.series.flatMap((s) => s.data.filter((v) => v != null)));
  opts.padding = [16, 16, 0, 0];
  opts.scales.x = { time: false, range: [-0.5, n - 0.5] };
  opts.scales.y = { range: [0, max * 1.2] };
  opts.axes = [
    axis({
      grid: { show: false },
      splits: () => xs,
      values: (_u, splits) => splits.map((i) => spec.categories[i] ?? ''),
    }),
    axis({ label: spec.y.label, size: 80 }),
  ];
  opts.series = [
    {},
    ...spec.series.map((s) => ({
      label: s.label,
      stroke: s.color,
      fill: s.color,
      width: 0,
      paths: uPlot.paths.bars({ size: [0.5, 160], align: 0 }),
      points: { show: false },
    })),
  ];
  opts.hooks = {
    draw: [
      (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.font = FONT.replace('14px', `${Math.round(14 * uPlot.pxRatio)}px`);
        ctx.textAlign = 'center';
        ctx.textBaseline = 'bottom';
        const px = uPlot.pxRatio;
        spec.labels.forEach((label, i) => {
          const value = spec.series.map((s) => s.data[i]).find((v) => v != null);
          const x = u.valToPos(i, 'x', true);
          if (value != null) {
            ctx.fillStyle = TEXT;
            ctx.fillText(label, x, u.valToPos(value, 'y', true) - 4 * px);
            return;
          }
          // Never replayed: a red dashed outline the full height, "never" in it.
          const half = Math.min(80 * px, (u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true)) / 4);
          ctx.strokeStyle = '#a4161a';
          ctx.lineWidth = 2 * px;
          ctx.setLineDash([6 * px, 4 * px]);
          ctx.strokeRect(x - half, u.bbox.top, 2 * half, u.bbox.height);
          ctx.setLineDash([]);
          ctx.fillStyle = '#a4161a';
          ctx.font = `bold ${FONT.replace('14px', `${Math.round(16 * px)}px`)}`;
          ctx.fillText(label, x, u.bbox.top + u.bbox.height / 2);
          ctx.font = FONT.replace('14px', `${Math.round(14 * px)}px`);
        });
        ctx.restore();
      },
    ],
  };
  return { opts, data: [xs, ...spec.series.map((s) => s.data)] };
}

const BUILDERS = { series: seriesChart, timeline: timelineChart, bars: barChart };

/** Draws every chart into `#charts`; resolves once painted. */
// biome-ignore lint/correctness/noUnusedVariables: called by report.ts through page.evaluate
async function drawCharts(specs) {
  const root = document.getElementById('charts');
  for (const spec of specs) {
    const holder = document.createElement('div');
    holder.id = `chart-${spec.id}`;
    holder.className = 'chart';
    root.append(holder);
    const { opts, data } = BUILDERS[spec.kind](spec);
    new uPlot(opts, data, holder);
  }
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
