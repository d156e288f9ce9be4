// The Reports page (SPEC §4): the Impact tiles, every report as a chart or a
// ranked table, controls that change every report at once, and polling with
// ETags so the page follows new events without reloading.
import * as api from './api.js';
import { timeSeries, dataTable, sweep } from './charts.js';
import { h, mount, field, select } from './dom.js';
import * as fmt from './format.js';

const POLL_KEY = 'agentperf.poll_ms';
const POLL_DEFAULT_MS = 10000;

const rate = (label, metric) => [{ field: 'rate', label, metric, value: (r) => r.rate, text: (r) => fmt.percent(r.rate),
  title: (r) => fmt.ratio(r), kind: 'line' }];
const counted = (label, metric) => [{ field: 'count', label, metric, value: (r) => r.count, text: (r) => fmt.count(r.count), kind: 'bar' }];
const both = (a, b) => [
  { field: a[0], label: a[1], metric: a[0], value: (r) => r[a[0]], text: (r) => fmt.count(r[a[0]]), kind: 'line' },
  { field: b[0], label: b[1], metric: b[0], value: (r) => r[b[0]], text: (r) => fmt.count(r[b[0]]), kind: 'line' },
];

// The time-series reports, in page order within their sections.
const SERIES = {
  handled_over_time: { title: 'Conversations handled over time', about: 'Conversations the customer agent handled.', series: counted('Handled', 'handled') },
  handling_rate_over_time: { title: 'Handling rate over time', about: 'Handled ÷ all conversations.', series: rate('Handling rate', 'handled'), percent: true },
  questions_over_time: { title: 'Workload and questions', about: 'Visitor questions asked, and those the agent could not answer.', series: both(['asked', 'Asked'], ['unanswered', 'Unanswered']) },
  resolution_rate_over_time: { title: 'Resolution rate over time', about: 'Resolved by the agent ÷ handled.', series: rate('Resolution rate', 'resolved'), percent: true },
  resolved_over_time: { title: 'Resolved conversations', about: 'Conversations resolved by the agent.', series: counted('Resolved', 'resolved') },
  deflection_rate_over_time: { title: 'Deflection rate over time', about: 'Deflected (ended without a handoff) ÷ handled.', series: rate('Deflection rate', 'deflected'), percent: true },
  deflections_over_time: { title: 'Deflections over time', about: 'Handled conversations that ended without a handoff.', series: counted('Deflections', 'deflected') },
  feedback_trend: { title: 'Visitor feedback trend', about: 'Ratings by visitors, per rating.', series: both(['helpful', 'Helpful'], ['not_helpful', 'Not helpful']) },
  handoff_rate_over_time: { title: 'Handoff rate over time', about: 'Handed off to a human ÷ handled.', series: rate('Handoff rate', 'handed_off'), percent: true },
  handoffs_over_time: { title: 'Handoffs to a human', about: 'Handled conversations handed to the team.', series: counted('Handoffs', 'handed_off') },
};

const SECTIONS = [
  ['Volume', ['handled_over_time', 'handled_by_channel', 'handling_rate_over_time', 'questions_over_time', 'by_language']],
  ['Resolution', ['resolution_rate', 'resolution_rate_over_time', 'resolved_over_time', 'deflection_rate_over_time', 'deflections_over_time']],
  ['Feedback', ['feedback_trend']],
  ['Team and handoffs', ['team', 'handoff_rate_over_time', 'handoffs_over_time', 'handoff_outcomes', 'handoffs_by_reason', 'handoffs_by_assignee']],
];

// The Impact tiles: which figure, how it is written, and which way is better.
const TILES = [
  { field: 'resolved', metric: 'resolved', label: 'Resolved by the agent', text: fmt.count, better: 1 },
  { field: 'handled', metric: 'handled', label: 'Conversations handled', text: fmt.count, better: 0 },
  { field: 'avg_resolution_seconds', metric: 'resolved', label: 'Average resolution time', text: fmt.duration, better: -1 },
  { field: 'deflection_rate', metric: 'deflected', label: 'Deflection rate', text: fmt.percent, better: 1, rate: ['deflected', 'handled'] },
  { field: 'helpful_share', metric: 'helpful', label: 'Helpful ratings', text: fmt.percent, better: 1, rate: ['helpful', 'ratings'] },
];

function state(params) {
  return {
    from: params.get('from') || '', to: params.get('to') || '',
    granularity: params.get('granularity') || 'week', channel: params.get('channel') || '',
    // "As of" an instant (RFC 3339): a link that shows the same figures tomorrow.
    now: params.get('now') || '',
  };
}

function apiParams(s) {
  return { from: s.from, to: s.to, granularity: s.granularity === 'week' ? '' : s.granularity, channel: s.channel, now: s.now };
}

// The page call the Reports page makes first for this hash state (main.js
// starts it early, in parallel with the sign-in check).
export function firstRequest(params) {
  return ['/v1/reports', apiParams(state(params))];
}

// 0 for a Monday ("2026-12-07") to 6 for a Sunday.
function weekdayFromMonday(day) {
  const [y, m, d] = day.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function reportsPage(root, params, nav) {
  let s = state(params);
  let doc = null;
  let etag = null;
  let timer = null;
  let channels = new Set();
  let stopped = false;
  const openTables = new Set();

  const status = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, 'Loading reports…');
  const controls = h('form', { class: 'controls', 'aria-label': 'Report filters', onsubmit: (e) => e.preventDefault() });
  const body = h('div', { class: 'reports', 'aria-busy': 'true' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, 'Reports'), status), controls, body);

  function go(change) {
    const next = { ...s, ...change };
    if (next.granularity === 'week') next.granularity = '';
    nav('reports', next);
  }

  function renderControls() {
    const focused = controls.contains(document.activeElement) ? document.activeElement.name : null;
    const from = doc ? doc.from : s.from;
    const through = doc ? addDays(doc.to, -1) : (s.to ? addDays(s.to, -1) : '');
    const fromInput = h('input', { type: 'date', name: 'from', value: from, required: true });
    const throughInput = h('input', { type: 'date', name: 'through', value: through, required: true });
    const apply = () => {
      if (!fromInput.value || !throughInput.value) return;
      if (throughInput.value < fromInput.value) {
        throughInput.setCustomValidity('The last day must not be before the first.');
        throughInput.reportValidity();
        return;
      }
      throughInput.setCustomValidity('');
      go({ from: fromInput.value, to: addDays(throughInput.value, 1) });
    };
    fromInput.addEventListener('change', apply);
    throughInput.addEventListener('change', apply);
    // n weeks ending with the current week (in the account's zone, at the
    // figures' `now`), whatever range is on screen: n buckets by week.
    const weeks = (n) => () => {
      if (!doc) return;
      const today = fmt.localDay(doc.now);
      const to = addDays(today, 7 - weekdayFromMonday(today));
      go({ from: addDays(to, -7 * n), to });
    };
    const channelOptions = [['', 'All channels'], ...[...channels].sort().map((c) => [c, c])];
    if (s.channel && !channels.has(s.channel)) channelOptions.push([s.channel, s.channel]);
    mount(controls,
      field('From', fromInput),
      field('Through', throughInput),
      field('Granularity', select([['day', 'Day'], ['week', 'Week'], ['month', 'Month']], s.granularity,
        { name: 'granularity', onchange: (e) => go({ granularity: e.target.value }) })),
      field('Channel', select(channelOptions, s.channel, { name: 'channel', onchange: (e) => go({ channel: e.target.value }) })),
      h('div', { class: 'presets', role: 'group', 'aria-label': 'Quick ranges' },
        h('button', { type: 'button', name: 'w4', onclick: weeks(4) }, '4 weeks'),
        h('button', { type: 'button', name: 'w12', onclick: weeks(12) }, '12 weeks'),
        h('button', { type: 'button', name: 'w52', onclick: weeks(52) }, '52 weeks')));
    if (focused) controls.querySelector(`[name="${focused}"]`)?.focus();
  }

  async function load(first) {
    try {
      const res = await api.get('/v1/reports', apiParams(s), { etag: first ? null : etag });
      if (stopped) return;
      if (res.status === 304) {
        status.textContent = 'Up to date · checked ' + new Date().toLocaleTimeString('en-GB');
      } else {
        doc = res.data;
        etag = res.etag;
        if (!s.channel) channels = new Set(doc.reports.handled_by_channel.map((r) => r.channel));
        else if (first) await loadChannels();
        render();
        // bench/web measures the first render to this mark.
        if (first && !performance.getEntriesByName('agentperf:reports-rendered').length) {
          performance.mark('agentperf:reports-rendered');
          requestAnimationFrame(() => setTimeout(() => performance.mark('agentperf:reports-painted')));
        }
        status.textContent = (first ? 'Loaded' : 'Updated with new events') + ' · ' + new Date().toLocaleTimeString('en-GB');
      }
    } catch (e) {
      if (stopped) return;
      if (first || !doc) {
        body.setAttribute('aria-busy', 'false');
        mount(body, h('div', { class: 'error', role: 'alert' }, h('h2', {}, 'The reports could not be loaded'),
          h('p', {}, e.message), h('button', { type: 'button', onclick: () => load(true) }, 'Try again')));
        renderControls();
      }
      status.textContent = 'Could not refresh: ' + e.message;
    }
    schedule();
  }

  async function loadChannels() {
    try {
      const res = await api.get('/v1/reports/handled_by_channel', { from: doc.from, to: doc.to, now: s.now });
      channels = new Set(res.data.reports.handled_by_channel.map((r) => r.channel));
    } catch (e) { /* the list stays as it is */ }
  }

  function schedule() {
    clearTimeout(timer);
    if (stopped) return;
    const ms = Number(sessionStorage.getItem(POLL_KEY)) || POLL_DEFAULT_MS;
    timer = setTimeout(() => (document.hidden ? schedule() : load(false)), ms);
  }

  function render() {
    for (const d of body.querySelectorAll('details[open]')) openTables.add(d.dataset.tableFor);
    for (const d of body.querySelectorAll('details:not([open])')) openTables.delete(d.dataset.tableFor);
    renderControls();
    const r = doc.reports;
    const severalYears = doc.from.slice(0, 4) !== addDays(doc.to, -1).slice(0, 4);
    const labels = r.handled_over_time.map((row) => fmt.bucket(row.bucket, doc.granularity, severalYears));
    const empty = r.handled_over_time.every((row) => row.count === 0) && r.team.length === 0;
    const scope = h('p', { class: 'scope' },
      `${fmt.bucket(doc.from, 'day')} ${doc.from.slice(0, 4)} – ${fmt.bucket(addDays(doc.to, -1), 'day')} ${addDays(doc.to, -1).slice(0, 4)}`,
      ` · per ${doc.granularity} · ${doc.channel ? 'channel ' + doc.channel : 'all channels'} · times in ${doc.time_zone}`,
      s.now ? [` · as of ${fmt.dateTime(doc.now)} `, h('button', { type: 'button', class: 'link', onclick: () => go({ now: '' }) }, 'show the figures now')] : null);
    const sections = SECTIONS.map(([title, names]) => h('section', { class: 'group', 'aria-label': title },
      h('h2', {}, title), h('div', { class: 'cards' }, names.map((n) => card(n, r, labels)))));
    mount(body, scope, impact(r.impact),
      empty ? h('p', { class: 'empty', role: 'note' }, 'No conversations in this range' + (doc.channel ? ' on this channel' : '') +
        ' yet. Send events to POST /v1/events, or pick another range.') : null,
      sections);
    body.setAttribute('aria-busy', 'false');
    sweep();
    // Measure every chart's box before drawing any: a measurement after a chart
    // was inserted would force the browser to lay the whole page out again.
    const boxes = Object.keys(SERIES).map((name) => [name, body.querySelector(`[data-report="${name}"] .chart`)]);
    const widths = boxes.map(([, box]) => box.getBoundingClientRect().width);
    boxes.forEach(([name, box], i) => {
      const rows = r[name];
      if (rows.length === 0) mount(box, h('p', { class: 'empty' }, 'No periods in this range.'));
      else timeSeries(box, rows, labels, SERIES[name].series, { percent: SERIES[name].percent, width: widths[i] });
    });
  }

  // Why some buckets look different (docs/metrics.md, "Provisional and partial").
  function bucketNote(rows) {
    const provisional = rows.some((row) => row.provisional);
    const partial = rows.some((row) => row.partial);
    if (!provisional && !partial) return null;
    return h('p', { class: 'bucket-note' },
      provisional ? h('span', { class: 'key provisional' }, 'Shaded: provisional — conversations in it have not ended yet, so deflections and resolutions can still rise.') : null,
      partial ? h('span', { class: 'key partial' }, 'Dashed: partial — the range or today cuts the period short.') : null);
  }

  function csvButton(name) {
    return h('button', {
      type: 'button', class: 'csv', 'aria-label': 'Download ' + name + ' as CSV',
      onclick: () => api.download('/v1/reports/' + name, { ...apiParams(s), from: doc.from, to: doc.to, format: 'csv' }, name + '.csv')
        .catch((e) => { status.textContent = 'Download failed: ' + e.message; }),
    }, 'CSV');
  }

  function frame(name, title, about, ...content) {
    const id = 'r-' + name;
    return h('article', { class: 'card', dataset: { report: name }, 'aria-labelledby': id },
      h('header', {}, h('h3', { id }, title), csvButton(name)),
      about ? h('p', { class: 'about' }, about) : null, content);
  }

  // Where a figure opens: the conversations it counts (GET /v1/conversations),
  // with the page's range, channel and now unless the figure narrows them.
  const listLink = (metric, narrower = {}) => '#' + api.url('/conversations',
    { metric, from: doc.from, to: doc.to, channel: doc.channel || '', now: s.now, ...narrower });
  // A bucket's figure: its own days, from its start to the next bucket's.
  const bucketLink = (rows) => (column, row, i) => listLink(column.metric,
    { from: row.bucket, to: i + 1 < rows.length ? rows[i + 1].bucket : doc.to });
  const figure = (link, text) => h('a', { href: link, class: 'figure-link' }, text);

  function card(name, r, labels) {
    const spec = SERIES[name];
    if (spec) {
      const table = h('details', { dataset: { tableFor: name }, open: openTables.has(name) },
        h('summary', {}, 'Figures'),
        dataTable(spec.title, r[name], labels, spec.series, bucketLink(r[name])));
      return frame(name, spec.title, spec.about, h('div', { class: 'chart', role: 'img', 'aria-label': spec.title + ' chart; the figures follow below' }),
        bucketNote(r[name]), table);
    }
    return SUMMARY[name](r[name]);
  }

  const cell = (fieldName, value, text, title, link) => h('td', { class: 'num', title, dataset: { field: fieldName, value: value === null ? 'null' : String(value) } },
    link ? figure(link, text) : text);
  const share = (n, total) => {
    const bar = h('span', { class: 'bar' });
    bar.style.width = (total ? Math.round((n / total) * 100) : 0) + '%';
    return h('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar);
  };

  const SUMMARY = {
    handled_by_channel: (rows) => {
      const top = rows.length ? rows[0].count : 0;
      return frame('handled_by_channel', 'Conversations handled per channel', 'Over the whole range, most first.',
        rows.length === 0 ? h('p', { class: 'empty' }, 'No handled conversations in this range.') :
          h('table', { class: 'ranked' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Channel'), h('th', { scope: 'col', class: 'num' }, 'Handled'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Share')))),
            h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.channel } },
              h('th', { scope: 'row' }, row.channel), cell('count', row.count, fmt.count(row.count), null, listLink('handled', { channel: row.channel })), h('td', {}, share(row.count, top)))))));
    },
    resolution_rate: (row) => frame('resolution_rate', 'Resolution rate', 'Resolved by the agent ÷ handled, over the range.',
      h('p', { class: 'figure' }, h('span', { class: 'big', title: fmt.ratio(row), dataset: { field: 'rate', value: row.rate === null ? 'null' : String(row.rate) } }, figure(listLink('resolved'), fmt.percent(row.rate))),
        h('span', { class: 'sub' }, h('span', { dataset: { field: 'numerator', value: String(row.numerator) } }, figure(listLink('resolved'), fmt.count(row.numerator))), ' resolved of ',
          h('span', { dataset: { field: 'denominator', value: String(row.denominator) } }, figure(listLink('handled'), fmt.count(row.denominator))), ' handled'))),
    team: (rows) => {
      const total = rows.reduce((a, row) => a + row.resolved, 0);
      return frame('team', 'Customer agent in your team', 'Conversations per resolver over the range: the agent and each team member, ranked.',
        rows.length === 0 ? h('p', { class: 'empty' }, 'Nobody resolved a conversation in this range.') :
          h('table', { class: 'ranked' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'Resolver'), h('th', { scope: 'col', class: 'num' }, 'Resolved'), h('th', { scope: 'col', class: 'num' }, 'Share'))),
            h('tbody', {}, rows.map((row, i) => h('tr', { dataset: { key: row.resolver }, class: row.resolver === 'agent' ? 'agent' : null },
              h('td', { class: 'num' }, String(i + 1)),
              h('th', { scope: 'row' }, row.resolver === 'agent' ? 'Customer agent (AI)' : (row.name || row.resolver),
                row.name && row.resolver !== 'agent' ? h('span', { class: 'muted' }, ' ' + row.resolver) : null),
              cell('resolved', row.resolved, fmt.count(row.resolved), null, listLink('conversations', { resolver: row.resolver })),
              h('td', { class: 'num' }, total ? fmt.percent(row.resolved / total) : '–', share(row.resolved, rows[0].resolved)))))));
    },
    handoff_outcomes: (o) => frame('handoff_outcomes', 'Handoffs from the customer agent', 'Over the range: how many handoffs the team converted (ticket closed or resolved), and how fast.',
      h('dl', { class: 'figures' },
        h('div', {}, h('dt', {}, 'Handoffs'), h('dd', { dataset: { field: 'handoffs', value: String(o.handoffs) } }, figure(listLink('handed_off'), fmt.count(o.handoffs)))),
        h('div', {}, h('dt', {}, 'Converted'), h('dd', { dataset: { field: 'converted', value: String(o.converted) } }, figure(listLink('converted'), fmt.count(o.converted)))),
        h('div', {}, h('dt', {}, 'Conversion share'), h('dd', { title: fmt.count(o.converted) + ' / ' + fmt.count(o.handoffs), dataset: { field: 'conversion_rate', value: String(o.conversion_rate) } }, fmt.percent(o.conversion_rate))),
        h('div', {}, h('dt', {}, 'Average time to close'), h('dd', { dataset: { field: 'avg_close_seconds', value: String(o.avg_close_seconds) } }, fmt.duration(o.avg_close_seconds))),
        h('div', {}, h('dt', {}, 'Average time to first reply'), h('dd', { title: fmt.count(o.replied) + ' of ' + fmt.count(o.handoffs) + ' handoffs got a reply', dataset: { field: 'avg_first_reply_seconds', value: String(o.avg_first_reply_seconds) } }, fmt.duration(o.avg_first_reply_seconds))))),
    handoffs_by_assignee: (rows) => frame('handoffs_by_assignee', 'Handoffs by team member', 'Over the range, per member the handoff was assigned to: how many they converted, and how fast.',
      rows.length === 0 ? h('p', { class: 'empty' }, 'No handoffs in this range.') :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Handoffs by team member, scrollable' }, h('table', { class: 'ranked' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Member'), h('th', { scope: 'col', class: 'num' }, 'Handoffs'),
            h('th', { scope: 'col', class: 'num' }, 'Converted'), h('th', { scope: 'col', class: 'num' }, 'Conversion'), h('th', { scope: 'col', class: 'num' }, 'Avg. close'),
            h('th', { scope: 'col', class: 'num' }, 'First reply'))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.assignee === null ? '' : row.assignee } },
            h('th', { scope: 'row' }, row.assignee === null ? h('span', { class: 'muted' }, 'No one named') : (row.name || row.assignee)),
            cell('handoffs', row.handoffs, fmt.count(row.handoffs), null, row.assignee === null ? null : listLink('handed_off', { assignee: row.assignee })),
            cell('converted', row.converted, fmt.count(row.converted), null, row.assignee === null ? null : listLink('converted', { assignee: row.assignee })),
            cell('conversion_rate', row.conversion_rate, fmt.percent(row.conversion_rate), fmt.count(row.converted) + ' / ' + fmt.count(row.handoffs)),
            cell('avg_close_seconds', row.avg_close_seconds, fmt.duration(row.avg_close_seconds)),
            cell('avg_first_reply_seconds', row.avg_first_reply_seconds, fmt.duration(row.avg_first_reply_seconds), fmt.count(row.replied) + ' replied to'))))))),
    by_language: (rows) => frame('by_language', 'Conversations by language', 'Over the range, by the language of each conversation\'s first question that named one ("und": none did).',
      rows.length === 0 ? h('p', { class: 'empty' }, 'No conversations in this range.') :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Conversations by language, scrollable' }, h('table', { class: 'ranked' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Language'), h('th', { scope: 'col', class: 'num' }, 'Conversations'),
            h('th', { scope: 'col', class: 'num' }, 'Handled'), h('th', { scope: 'col', class: 'num' }, 'Resolution'),
            h('th', { scope: 'col', class: 'num' }, 'Deflection'), h('th', { scope: 'col', class: 'num' }, 'Handoff'))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.language } },
            h('th', { scope: 'row' }, row.language),
            cell('conversations', row.conversations, fmt.count(row.conversations), null, listLink('conversations', { language: row.language })),
            cell('handled', row.handled, fmt.count(row.handled), null, listLink('handled', { language: row.language })),
            cell('resolution_rate', row.resolution_rate, fmt.percent(row.resolution_rate), fmt.count(row.resolved) + ' / ' + fmt.count(row.handled), listLink('resolved', { language: row.language })),
            cell('deflection_rate', row.deflection_rate, fmt.percent(row.deflection_rate), fmt.count(row.deflected) + ' / ' + fmt.count(row.handled), listLink('deflected', { language: row.language })),
            cell('handoff_rate', row.handoff_rate, fmt.percent(row.handoff_rate), fmt.count(row.handed_off) + ' / ' + fmt.count(row.handled), listLink('handed_off', { language: row.language })))))))),
    handoffs_by_reason: (rows) => frame('handoffs_by_reason', 'Handoffs by reason', 'Over the range, per reason given by the agent.',
      rows.length === 0 ? h('p', { class: 'empty' }, 'No handoffs in this range.') :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Handoffs by reason, scrollable' }, h('table', { class: 'ranked' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col', class: 'num' }, 'Handoffs'),
            h('th', { scope: 'col', class: 'num' }, 'Converted'), h('th', { scope: 'col', class: 'num' }, 'Conversion'), h('th', { scope: 'col', class: 'num' }, 'Avg. close'))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.reason } },
            h('th', { scope: 'row' }, row.reason.replace(/_/g, ' ')),
            cell('handoffs', row.handoffs, fmt.count(row.handoffs), null, listLink('handed_off', { reason: row.reason })),
            cell('converted', row.converted, fmt.count(row.converted), null, listLink('converted', { reason: row.reason })),
            cell('conversion_rate', row.conversion_rate, fmt.percent(row.conversion_rate), fmt.count(row.converted) + ' / ' + fmt.count(row.handoffs)),
            cell('avg_close_seconds', row.avg_close_seconds, fmt.duration(row.avg_close_seconds)))))))),
  };

  // Like for like (docs/metrics.md): the last complete week against the week
  // before it; the current week so far is shown beside them, without an arrow,
  // since its conversations have not all ended.
  function impact(im) {
    const tw = im.this_week;
    const pw = im.previous_week;
    const wb = im.week_before;
    return h('section', { class: 'impact', dataset: { report: 'impact' }, 'aria-labelledby': 'impact-title' },
      h('header', {}, h('h2', { id: 'impact-title' }, 'Impact'),
        h('span', { class: 'muted', dataset: { comparison: 'previous_week/week_before' } },
          'Last full week (week of ' + fmt.bucket(pw.week, 'day') + ') against the week before (' + fmt.bucket(wb.week, 'day') + ')'),
        csvButton('impact')),
      h('div', { class: 'tiles' }, TILES.map((t) => tile(t, tw, pw, wb))),
      pw.provisional ? h('p', { class: 'note', role: 'note', dataset: { provisionalWeek: 'previous_week' } },
        'Last week is not settled yet: some of its conversations have not ended, so its deflection and resolution figures can still rise.') : null);
  }

  const weekValue = (week, field, w, t, cls) => h('span', {
    class: cls, title: t.rate ? `${fmt.count(w[t.rate[0]])} / ${fmt.count(w[t.rate[1]])}` : null,
    dataset: { week, field, value: w[field] === null ? 'null' : String(w[field]) },
  }, figure(listLink(t.metric, { from: w.week, to: addDays(w.week, 7) }), t.text(w[field])));

  function tile(t, tw, pw, wb) {
    return h('div', { class: 'tile' },
      h('h3', {}, t.label),
      h('p', { class: 'big' }, weekValue('previous_week', t.field, pw, t)),
      change(t, pw[t.field], wb[t.field]),
      h('p', { class: 'muted' }, 'Week before: ', weekValue('week_before', t.field, wb, t)),
      h('p', { class: 'muted so-far', title: 'The current week so far: it is not over, and its open conversations have not ended yet, so it is not compared.' },
        'This week so far: ', weekValue('this_week', t.field, tw, t), tw.provisional ? h('span', { class: 'badge' }, 'provisional') : null));
  }

  function change(t, now, before) {
    if (now === null || before === null || (!t.rate && before === 0)) {
      return h('p', { class: 'change neutral' }, 'No comparison');
    }
    const diff = now - before;
    const text = t.rate ? (diff * 100).toFixed(1) + ' pts' : ((diff / before) * 100).toFixed(1) + '%';
    const direction = diff > 0 ? 'up' : diff < 0 ? 'down' : 'flat';
    const good = t.better === 0 || diff === 0 ? 'neutral' : (Math.sign(diff) === t.better ? 'good' : 'bad');
    const arrow = diff > 0 ? '▲' : diff < 0 ? '▼' : '■';
    return h('p', { class: 'change ' + good }, h('span', { 'aria-hidden': 'true' }, arrow + ' '),
      `${direction === 'flat' ? 'unchanged' : direction + ' ' + text.replace('-', '')} vs the week before`);
  }

  // Back on a tab that was hidden (polling paused): catch up at once.
  const onVisible = () => {
    if (!document.hidden && doc && !stopped) { clearTimeout(timer); load(false); }
  };
  document.addEventListener('visibilitychange', onVisible);

  renderControls();
  load(true);
  return {
    leave: () => { stopped = true; clearTimeout(timer); document.removeEventListener('visibilitychange', onVisible); sweep(); },
    update: (next) => {
      s = state(next);
      etag = null;
      clearTimeout(timer);
      body.setAttribute('aria-busy', 'true');
      status.textContent = 'Loading reports…';
      load(true);
    },
  };
}
