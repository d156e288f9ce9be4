// Charts of the report time series, drawn with uPlot (canvas; see
// docs/dependencies.md). Every chart also carries its figures as a table
// (for screen readers, for copying, and for the browser tests).
import uPlot from 'uplot';
import { h } from './dom.js';
import * as fmt from './format.js';
import { t } from './i18n.js';

const COLORS = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed'];
const live = new Set();

// Width of the chart's box; the chart follows it when the window resizes.
function widthOf(el) {
  return Math.max(240, Math.floor(el.getBoundingClientRect().width || 600));
}

let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const { plot, box } of live) {
      if (!box.isConnected) { plot.destroy(); live.delete(plot); continue; }
      plot.setSize({ width: widthOf(box), height: plot.height });
    }
  }, 100);
});

// Destroys charts whose element left the page (a re-render).
export function sweep() {
  for (const entry of live) {
    if (!entry.box.isConnected) { entry.plot.destroy(); live.delete(entry); }
  }
}

/* A time-series chart.
 *   rows: the report rows; labels: bucket labels
 *   series: [{label, value: row => number|null, text: (row) => string, kind: 'bar'|'line'}]
 *   percent: the y axis shows percentages (values in [0, 1]) */
// Shades provisional buckets and outlines partial ones behind the series
// (the rows' `provisional` and `partial` flags, SPEC §4.1).
function markBuckets(rows) {
  return (u) => {
    const { ctx } = u;
    const top = u.bbox.top;
    const height = u.bbox.height;
    const half = Math.abs(u.valToPos(0.5, 'x', true) - u.valToPos(0, 'x', true));
    ctx.save();
    rows.forEach((row, i) => {
      if (!row.provisional && !row.partial) return;
      const x = u.valToPos(i, 'x', true) - half;
      if (row.provisional) {
        ctx.fillStyle = 'rgba(245, 158, 11, 0.14)';
        ctx.fillRect(x, top, 2 * half, height);
      }
      if (row.partial) {
        ctx.setLineDash([4, 4]);
        ctx.strokeStyle = '#9ca3af';
        ctx.lineWidth = 1;
        ctx.strokeRect(x + 0.5, top + 0.5, 2 * half - 1, height - 1);
      }
    });
    ctx.restore();
  };
}

export function timeSeries(box, rows, labels, series, { percent = false, width = null } = {}) {
  const data = [rows.map((_, i) => i), ...series.map((s) => rows.map(s.value))];
  const bars = uPlot.paths.bars({ size: [0.7, 60], gap: 1 });
  const opts = {
    width: width ? Math.max(240, Math.floor(width)) : widthOf(box),
    height: 220,
    cursor: { points: { size: 7 }, drag: { x: false, y: false } },
    legend: { live: true },
    hooks: { drawAxes: [markBuckets(rows)] },
    scales: { x: { time: false, range: [-0.6, Math.max(0, rows.length - 0.4)] },
      y: percent ? { range: [0, 1] } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { values: (u, splits) => splits.map((i) => (Number.isInteger(i) && labels[i] !== undefined ? labels[i] : '')),
        stroke: '#444', grid: { show: false }, gap: 4, incrs: [1, 2, 4, 7, 13, 26, 52, 91, 182, 365, 730, 1461] },
      { values: (u, splits) => splits.map((v) => (percent ? fmt.percentAxis(v) : fmt.count(v))),
        stroke: '#444', grid: { stroke: '#e5e7eb' }, size: 52 },
    ],
    series: [
      { label: t('chart.period'), value: (u, i) => (i === null || labels[i] === undefined ? '–' : labels[i]) },
      ...series.map((s, k) => ({
        label: s.label,
        stroke: COLORS[k % COLORS.length],
        fill: s.kind === 'bar' ? COLORS[k % COLORS.length] + 'b3' : undefined,
        width: s.kind === 'bar' ? 0 : 2,
        points: { show: s.kind !== 'bar' && rows.length <= 40 },
        paths: s.kind === 'bar' ? bars : undefined,
        spanGaps: false,
        value: (u, v, si, i) => (i === null || i === undefined || rows[i] === undefined ? '–' : s.text(rows[i])),
      })),
    ],
  };
  const plot = new uPlot(opts, data, box);
  live.add({ plot, box });
  return plot;
}

/* The figures of a chart as a table: one row a bucket.
 *   columns: [{label, value: row => raw, text: row => string, title: row => string}]
 *   href(column, row, i): where the figure opens (its conversations), or null */
export function dataTable(caption, rows, labels, columns, href = () => null) {
  return h('table', { class: 'data' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('chart.period')),
      columns.map((c) => h('th', { scope: 'col', class: 'num' }, c.label)))),
    h('tbody', {}, rows.map((row, i) => h('tr', {
      class: [row.provisional ? 'provisional' : '', row.partial ? 'partial' : ''].join(' ').trim() || null,
      dataset: { bucket: row.bucket, provisional: String(!!row.provisional), partial: String(!!row.partial) },
    },
      h('th', { scope: 'row' }, labels[i],
        row.partial ? h('span', { class: 'badge', title: t('chart.partialTitle') }, t('chart.partial')) : null,
        row.provisional ? h('span', { class: 'badge', title: t('chart.provisionalTitle') }, t('chart.provisional')) : null),
      columns.map((c) => {
        const link = href(c, row, i);
        return h('td', {
          class: 'num', title: c.title ? c.title(row) : null,
          dataset: { field: c.field, value: c.value(row) === null ? 'null' : String(c.value(row)) },
        }, link ? h('a', { href: link }, c.text(row)) : c.text(row));
      })))));
}
