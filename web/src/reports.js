// The Reports page (SPEC §4): the Impact tiles, every report as a chart or a
// ranked table, controls that change every report at once, and polling with
// ETags so the page follows new events without reloading.
import * as api from './api.js';
import { timeSeries, dataTable, sweep } from './charts.js';
import { h, mount, field, select } from './dom.js';
import * as fmt from './format.js';
import { t, intlLocale } from './i18n.js';

const POLL_KEY = 'agentperf.poll_ms';
const POLL_DEFAULT_MS = 10000;

const rate = (label, metric) => [{ field: 'rate', label, metric, value: (r) => r.rate, text: (r) => fmt.percent(r.rate),
  title: (r) => fmt.ratio(r), kind: 'line' }];
const counted = (label, metric) => [{ field: 'count', label, metric, value: (r) => r.count, text: (r) => fmt.count(r.count), kind: 'bar' }];
const both = (a, b) => [
  { field: a[0], label: a[1], metric: a[0], value: (r) => r[a[0]], text: (r) => fmt.count(r[a[0]]), kind: 'line' },
  { field: b[0], label: b[1], metric: b[0], value: (r) => r[b[0]], text: (r) => fmt.count(r[b[0]]), kind: 'line' },
];

// The time-series reports, in page order within their sections. Titles and
// labels are message keys (series.<name>, series.<name>.about, label.*), so
// that the tables can be built once and read in whichever language is chosen.
const SERIES = {
  handled_over_time: { series: counted('label.handled', 'handled') },
  handling_rate_over_time: { series: rate('label.handlingRate', 'handled'), percent: true },
  questions_over_time: { series: both(['asked', 'label.asked'], ['unanswered', 'label.unanswered']) },
  resolution_rate_over_time: { series: rate('label.resolutionRate', 'resolved'), percent: true },
  resolved_over_time: { series: counted('label.resolved', 'resolved') },
  deflection_rate_over_time: { series: rate('label.deflectionRate', 'deflected'), percent: true },
  deflections_over_time: { series: counted('label.deflections', 'deflected') },
  feedback_trend: { series: both(['helpful', 'label.helpful'], ['not_helpful', 'label.notHelpful']) },
  handoff_rate_over_time: { series: rate('label.handoffRate', 'handed_off'), percent: true },
  handoffs_over_time: { series: counted('label.handoffs', 'handed_off') },
};

// A series' columns with their labels in the current language.
const translated = (series) => series.map((s) => ({ ...s, label: t(s.label) }));

const SECTIONS = [
  ['section.volume', ['handled_over_time', 'handled_by_channel', 'handling_rate_over_time', 'questions_over_time', 'by_language']],
  ['section.resolution', ['resolution_rate', 'resolution_rate_over_time', 'resolved_over_time', 'deflection_rate_over_time', 'deflections_over_time']],
  ['section.feedback', ['feedback_trend']],
  ['section.team', ['team', 'handoff_rate_over_time', 'handoffs_over_time', 'handoff_outcomes', 'handoffs_by_reason', 'handoffs_by_assignee']],
];

// The Impact tiles: which figure, how it is written, and which way is better.
const TILES = [
  { field: 'resolved', metric: 'resolved', label: 'tile.resolved', text: fmt.count, better: 1 },
  { field: 'handled', metric: 'handled', label: 'tile.handled', text: fmt.count, better: 0 },
  { field: 'avg_resolution_seconds', metric: 'resolved', label: 'tile.avgResolution', text: fmt.duration, better: -1 },
  { field: 'deflection_rate', metric: 'deflected', label: 'tile.deflection', text: fmt.percent, better: 1, rate: ['deflected', 'handled'] },
  { field: 'helpful_share', metric: 'helpful', label: 'tile.helpful', text: fmt.percent, better: 1, rate: ['helpful', 'ratings'] },
];


function state(params) {
  return {
    from: params.get('from') || '', to: params.get('to') || '',
    granularity: params.get('granularity') || 'week', channel: params.get('channel') || '',
    language: params.get('language') || '',
    // "As of" an instant (RFC 3339): a link that shows the same figures tomorrow.
    now: params.get('now') || '',
  };
}

function apiParams(s) {
  return { from: s.from, to: s.to, granularity: s.granularity === 'week' ? '' : s.granularity, channel: s.channel, language: s.language, now: s.now };
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

export function reportsPage(root, params, nav) {
  let s = state(params);
  let doc = null;
  let etag = null;
  let timer = null;
  let channels = new Set();
  let languages = new Set(); // from the unfiltered page's by_language rows
  let stopped = false;
  const openTables = new Set();

  const status = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, t('reports.loading'));
  const controls = h('form', { class: 'controls', 'aria-label': t('reports.filters'), onsubmit: (e) => e.preventDefault() });
  const body = h('div', { class: 'reports', 'aria-busy': 'true' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, t('reports.title')), status), controls, body);

  function go(change) {
    const next = { ...s, ...change };
    if (next.granularity === 'week') next.granularity = '';
    nav('reports', next);
  }

  function renderControls() {
    const focused = controls.contains(document.activeElement) ? document.activeElement.name : null;
    const from = doc ? doc.from : s.from;
    const through = doc ? fmt.addDays(doc.to, -1) : (s.to ? fmt.addDays(s.to, -1) : '');
    // The native date input writes dates as the browser's own language does;
    // lang asks for the page's (Firefox honours it), and the hint under each
    // one spells the chosen day out in the page's language whatever the browser.
    const fromInput = h('input', { type: 'date', name: 'from', value: from, required: true, lang: intlLocale() });
    const throughInput = h('input', { type: 'date', name: 'through', value: through, required: true, lang: intlLocale() });
    const apply = () => {
      if (!fromInput.value || !throughInput.value) return;
      if (throughInput.value < fromInput.value) {
        throughInput.setCustomValidity(t('reports.throughBeforeFrom'));
        throughInput.reportValidity();
        return;
      }
      throughInput.setCustomValidity('');
      go({ from: fromInput.value, to: fmt.addDays(throughInput.value, 1) });
    };
    fromInput.addEventListener('change', apply);
    throughInput.addEventListener('change', apply);
    // n weeks ending with the current week (in the account's zone, at the
    // figures' `now`), whatever range is on screen: n buckets by week.
    const weeks = (n) => () => {
      if (!doc) return;
      const today = fmt.localDay(doc.now);
      const to = fmt.addDays(today, 7 - weekdayFromMonday(today));
      go({ from: fmt.addDays(to, -7 * n), to });
    };
    const channelOptions = [['', t('reports.allChannels')], ...[...channels].sort().map((c) => [c, c])];
    if (s.channel && !channels.has(s.channel)) channelOptions.push([s.channel, s.channel]);
    const languageOptions = [['', t('reports.allLanguages')], ...[...languages].sort().map((l) => [l, l])];
    if (s.language && !languages.has(s.language)) languageOptions.push([s.language, s.language]);
    const dayHint = (day) => (day ? t('common.dateHint', { date: fmt.day(day) }) : null);
    mount(controls,
      field(t('reports.from'), fromInput, dayHint(from)),
      field(t('reports.through'), throughInput, dayHint(through)),
      field(t('reports.granularity'), select([['day', t('reports.day')], ['week', t('reports.week')], ['month', t('reports.month')]], s.granularity,
        { name: 'granularity', onchange: (e) => go({ granularity: e.target.value }) })),
      field(t('reports.channel'), select(channelOptions, s.channel, { name: 'channel', onchange: (e) => go({ channel: e.target.value }) })),
      field(t('reports.language'), select(languageOptions, s.language, { name: 'lang-filter', onchange: (e) => go({ language: e.target.value }) })),
      h('div', { class: 'presets', role: 'group', 'aria-label': t('reports.quickRanges') },
        [4, 12, 52].map((n) => h('button', { type: 'button', name: 'w' + n, onclick: weeks(n) }, t('reports.weeks', { n })))));
    if (focused) controls.querySelector(`[name="${focused}"]`)?.focus();
  }

  async function load(first) {
    try {
      const res = await api.get('/v1/reports', apiParams(s), { etag: first ? null : etag });
      if (stopped) return;
      if (res.status === 304) {
        status.textContent = t('reports.upToDate', { time: fmt.clock() });
      } else {
        doc = res.data;
        etag = res.etag;
        if (!s.channel) channels = new Set(doc.reports.handled_by_channel.map((r) => r.channel));
        if (!s.language) languages = new Set(doc.reports.by_language.map((r) => r.language));
        else if (first) await loadChannels();
        render();
        // bench/web measures the first render to this mark.
        if (first && !performance.getEntriesByName('agentperf:reports-rendered').length) {
          performance.mark('agentperf:reports-rendered');
          requestAnimationFrame(() => setTimeout(() => performance.mark('agentperf:reports-painted')));
        }
        status.textContent = t(first ? 'reports.loaded' : 'reports.updated', { time: fmt.clock() });
      }
    } catch (e) {
      if (stopped) return;
      if (first || !doc) {
        body.setAttribute('aria-busy', 'false');
        mount(body, h('div', { class: 'error', role: 'alert' }, h('h2', {}, t('reports.failed')),
          h('p', {}, e.message), h('button', { type: 'button', onclick: () => load(true) }, t('common.tryAgain'))));
        renderControls();
      }
      status.textContent = t('reports.refreshFailed', { message: e.message });
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
    const severalYears = doc.from.slice(0, 4) !== fmt.addDays(doc.to, -1).slice(0, 4);
    const labels = r.handled_over_time.map((row) => fmt.bucket(row.bucket, doc.granularity, severalYears));
    const empty = r.handled_over_time.every((row) => row.count === 0) && r.team.length === 0;
    const per = { day: 'reports.perDay', week: 'reports.perWeek', month: 'reports.perMonth' }[doc.granularity];
    const scope = h('p', { class: 'scope' },
      `${fmt.day(doc.from)} – ${fmt.day(fmt.addDays(doc.to, -1))}`,
      ' · ' + [per ? t(per) : doc.granularity, doc.channel ? t('reports.scopeChannel', { channel: doc.channel }) : t('reports.scopeAllChannels'),
        t('reports.scopeZone', { zone: doc.time_zone })].join(' · '),
      s.now ? [t('reports.asOf', { time: fmt.dateTime(doc.now) }), h('button', { type: 'button', class: 'link', onclick: () => go({ now: '' }) }, t('reports.showNow'))] : null);
    const sections = SECTIONS.map(([key, names]) => h('section', { class: 'group', 'aria-label': t(key) },
      h('h2', {}, t(key)), h('div', { class: 'cards' }, names.map((n) => card(n, r, labels)))));
    mount(body, scope, impact(r.impact),
      empty ? h('p', { class: 'empty', role: 'note' }, t(doc.channel ? 'reports.emptyChannel' : 'reports.empty')) : null,
      sections);
    body.setAttribute('aria-busy', 'false');
    sweep();
    // Measure every chart's box before drawing any: a measurement after a chart
    // was inserted would force the browser to lay the whole page out again.
    const boxes = Object.keys(SERIES).map((name) => [name, body.querySelector(`[data-report="${name}"] .chart`)]);
    const widths = boxes.map(([, box]) => box.getBoundingClientRect().width);
    boxes.forEach(([name, box], i) => {
      const rows = r[name];
      if (rows.length === 0) mount(box, h('p', { class: 'empty' }, t('reports.noPeriods')));
      else timeSeries(box, rows, labels, translated(SERIES[name].series), { percent: SERIES[name].percent, width: widths[i] });
    });
  }

  // Why some buckets look different (docs/metrics.md, "Provisional and partial").
  function bucketNote(rows) {
    const provisional = rows.some((row) => row.provisional);
    const partial = rows.some((row) => row.partial);
    if (!provisional && !partial) return null;
    return h('p', { class: 'bucket-note' },
      provisional ? h('span', { class: 'key provisional' }, t('reports.noteProvisional')) : null,
      partial ? h('span', { class: 'key partial' }, t('reports.notePartial')) : null);
  }

  function csvButton(name, title) {
    return h('button', {
      type: 'button', class: 'csv', 'aria-label': t('reports.download', { title }),
      onclick: () => api.download('/v1/reports/' + name, { ...apiParams(s), from: doc.from, to: doc.to, format: 'csv' }, name + '.csv')
        .catch((e) => { status.textContent = t('reports.downloadFailed', { message: e.message }); }),
    }, 'CSV');
  }

  function frame(name, title, about, ...content) {
    const id = 'r-' + name;
    return h('article', { class: 'card', dataset: { report: name }, 'aria-labelledby': id },
      h('header', {}, h('h3', { id }, title), csvButton(name, title)),
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
      const title = t('series.' + name);
      const table = h('details', { dataset: { tableFor: name }, open: openTables.has(name) },
        h('summary', {}, t('reports.figures')),
        dataTable(title, r[name], labels, translated(spec.series), bucketLink(r[name])));
      return frame(name, title, t('series.' + name + '.about'), h('div', { class: 'chart', role: 'img', 'aria-label': t('reports.chartLabel', { title }) }),
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
      return frame('handled_by_channel', t('byChannel.title'), t('byChannel.about'),
        rows.length === 0 ? h('p', { class: 'empty' }, t('byChannel.empty')) :
          h('table', { class: 'ranked' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('byChannel.channel')), h('th', { scope: 'col', class: 'num' }, t('label.handled')), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('byChannel.share'))))),
            h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.channel } },
              h('th', { scope: 'row' }, row.channel), cell('count', row.count, fmt.count(row.count), null, listLink('handled', { channel: row.channel })), h('td', {}, share(row.count, top)))))));
    },
    resolution_rate: (row) => frame('resolution_rate', t('rr.title'), t('rr.about'),
      h('p', { class: 'figure' }, h('span', { class: 'big', title: fmt.ratio(row), dataset: { field: 'rate', value: row.rate === null ? 'null' : String(row.rate) } }, figure(listLink('resolved'), fmt.percent(row.rate))),
        h('span', { class: 'sub' }, h('span', { dataset: { field: 'numerator', value: String(row.numerator) } }, figure(listLink('resolved'), fmt.count(row.numerator))), t('rr.resolvedOf'),
          h('span', { dataset: { field: 'denominator', value: String(row.denominator) } }, figure(listLink('handled'), fmt.count(row.denominator))), t('rr.handled')))),
    team: (rows) => {
      const total = rows.reduce((a, row) => a + row.resolved, 0);
      return frame('team', t('team.title'), t('team.about'),
        rows.length === 0 ? h('p', { class: 'empty' }, t('team.empty')) :
          h('table', { class: 'ranked' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, t('team.resolver')), h('th', { scope: 'col', class: 'num' }, t('team.resolved')), h('th', { scope: 'col', class: 'num' }, t('team.share')))),
            h('tbody', {}, rows.map((row, i) => h('tr', { dataset: { key: row.resolver }, class: row.resolver === 'agent' ? 'agent' : null },
              h('td', { class: 'num' }, String(i + 1)),
              h('th', { scope: 'row' }, row.resolver === 'agent' ? t('team.agent') : (row.name || row.resolver),
                row.name && row.resolver !== 'agent' ? h('span', { class: 'muted' }, ' ' + row.resolver) : null),
              cell('resolved', row.resolved, fmt.count(row.resolved), null, listLink('conversations', { resolver: row.resolver })),
              h('td', { class: 'num' }, total ? fmt.percent(row.resolved / total) : '–', share(row.resolved, rows[0].resolved)))))));
    },
    handoff_outcomes: (o) => frame('handoff_outcomes', t('outcomes.title'), t('outcomes.about'),
      h('dl', { class: 'figures' },
        h('div', {}, h('dt', {}, t('outcomes.handoffs')), h('dd', { dataset: { field: 'handoffs', value: String(o.handoffs) } }, figure(listLink('handed_off'), fmt.count(o.handoffs)))),
        h('div', {}, h('dt', {}, t('outcomes.converted')), h('dd', { dataset: { field: 'converted', value: String(o.converted) } }, figure(listLink('converted'), fmt.count(o.converted)))),
        h('div', {}, h('dt', {}, t('outcomes.share')), h('dd', { title: fmt.count(o.converted) + ' / ' + fmt.count(o.handoffs), dataset: { field: 'conversion_rate', value: String(o.conversion_rate) } }, fmt.percent(o.conversion_rate))),
        h('div', {}, h('dt', {}, t('outcomes.avgClose')), h('dd', { dataset: { field: 'avg_close_seconds', value: String(o.avg_close_seconds) } }, fmt.duration(o.avg_close_seconds))),
        h('div', {}, h('dt', {}, t('outcomes.avgFirstReply')), h('dd', { title: t('outcomes.replied', { n: o.replied, handoffs: fmt.count(o.handoffs) }), dataset: { field: 'avg_first_reply_seconds', value: String(o.avg_first_reply_seconds) } }, fmt.duration(o.avg_first_reply_seconds))))),
    handoffs_by_assignee: (rows) => frame('handoffs_by_assignee', t('assignees.title'), t('assignees.about'),
      rows.length === 0 ? h('p', { class: 'empty' }, t('reasons.empty')) :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('assignees.scroll') }, h('table', { class: 'ranked' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('assignees.member')), h('th', { scope: 'col', class: 'num' }, t('reasons.handoffs')),
            h('th', { scope: 'col', class: 'num' }, t('reasons.converted')), h('th', { scope: 'col', class: 'num' }, t('reasons.conversion')), h('th', { scope: 'col', class: 'num' }, t('reasons.avgClose')),
            h('th', { scope: 'col', class: 'num' }, t('assignees.firstReply')))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.assignee === null ? '' : row.assignee } },
            h('th', { scope: 'row' }, row.assignee === null ? h('span', { class: 'muted' }, t('assignees.nobody')) : (row.name || row.assignee)),
            cell('handoffs', row.handoffs, fmt.count(row.handoffs), null, row.assignee === null ? null : listLink('handed_off', { assignee: row.assignee })),
            cell('converted', row.converted, fmt.count(row.converted), null, row.assignee === null ? null : listLink('converted', { assignee: row.assignee })),
            cell('conversion_rate', row.conversion_rate, fmt.percent(row.conversion_rate), fmt.count(row.converted) + ' / ' + fmt.count(row.handoffs)),
            cell('avg_close_seconds', row.avg_close_seconds, fmt.duration(row.avg_close_seconds)),
            cell('avg_first_reply_seconds', row.avg_first_reply_seconds, fmt.duration(row.avg_first_reply_seconds), t('assignees.replied', { n: row.replied })))))))),
    by_language: (rows) => frame('by_language', t('languages.title'), t('languages.about'),
      rows.length === 0 ? h('p', { class: 'empty' }, t('languages.empty')) :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('languages.scroll') }, h('table', { class: 'ranked' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('languages.language')), h('th', { scope: 'col', class: 'num' }, t('languages.conversations')),
            h('th', { scope: 'col', class: 'num' }, t('languages.handled')), h('th', { scope: 'col', class: 'num' }, t('languages.resolution')),
            h('th', { scope: 'col', class: 'num' }, t('languages.deflection')), h('th', { scope: 'col', class: 'num' }, t('languages.handoff')))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.language } },
            h('th', { scope: 'row' }, row.language),
            cell('conversations', row.conversations, fmt.count(row.conversations), null, listLink('conversations', { language: row.language })),
            cell('handled', row.handled, fmt.count(row.handled), null, listLink('handled', { language: row.language })),
            cell('resolution_rate', row.resolution_rate, fmt.percent(row.resolution_rate), fmt.count(row.resolved) + ' / ' + fmt.count(row.handled), listLink('resolved', { language: row.language })),
            cell('deflection_rate', row.deflection_rate, fmt.percent(row.deflection_rate), fmt.count(row.deflected) + ' / ' + fmt.count(row.handled), listLink('deflected', { language: row.language })),
            cell('handoff_rate', row.handoff_rate, fmt.percent(row.handoff_rate), fmt.count(row.handed_off) + ' / ' + fmt.count(row.handled), listLink('handed_off', { language: row.language })))))))),
    handoffs_by_reason: (rows) => frame('handoffs_by_reason', t('reasons.title'), t('reasons.about'),
      rows.length === 0 ? h('p', { class: 'empty' }, t('reasons.empty')) :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('reasons.scroll') }, h('table', { class: 'ranked' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('reasons.reason')), h('th', { scope: 'col', class: 'num' }, t('reasons.handoffs')),
            h('th', { scope: 'col', class: 'num' }, t('reasons.converted')), h('th', { scope: 'col', class: 'num' }, t('reasons.conversion')), h('th', { scope: 'col', class: 'num' }, t('reasons.avgClose')))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.reason } },
            h('th', { scope: 'row' }, fmt.reasonText(row.reason)),
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
      h('header', {}, h('h2', { id: 'impact-title' }, t('impact.title')),
        h('span', { class: 'muted', dataset: { comparison: 'previous_week/week_before' } },
          t('impact.comparison', { week: fmt.bucket(pw.week, 'day'), before: fmt.bucket(wb.week, 'day') })),
        csvButton('impact', t('impact.title'))),
      h('div', { class: 'tiles' }, TILES.map((spec) => tile(spec, tw, pw, wb))),
      pw.provisional ? h('p', { class: 'note', role: 'note', dataset: { provisionalWeek: 'previous_week' } },
        t('impact.notSettled')) : null);
  }

  const weekValue = (week, field, w, spec, cls) => h('span', {
    class: cls, title: spec.rate ? `${fmt.count(w[spec.rate[0]])} / ${fmt.count(w[spec.rate[1]])}` : null,
    dataset: { week, field, value: w[field] === null ? 'null' : String(w[field]) },
  }, figure(listLink(spec.metric, { from: w.week, to: fmt.addDays(w.week, 7) }), spec.text(w[field])));

  function tile(spec, tw, pw, wb) {
    return h('div', { class: 'tile' },
      h('h3', {}, t(spec.label)),
      h('p', { class: 'big' }, weekValue('previous_week', spec.field, pw, spec)),
      change(spec, pw[spec.field], wb[spec.field]),
      h('p', { class: 'muted' }, t('impact.weekBefore'), weekValue('week_before', spec.field, wb, spec)),
      h('p', { class: 'muted so-far', title: t('impact.soFarTitle') },
        t('impact.soFar'), weekValue('this_week', spec.field, tw, spec), tw.provisional ? h('span', { class: 'badge' }, t('chart.provisional')) : null));
  }

  // The change in words; rates change in percentage points, the rest relatively.
  function change(spec, now, before) {
    if (now === null || before === null || (!spec.rate && before === 0)) {
      return h('p', { class: 'change neutral' }, t('impact.noComparison'));
    }
    const diff = now - before;
    const size = spec.rate ? t('fmt.points', { n: fmt.oneDecimal(Math.abs(diff) * 100) })
      : t('fmt.percent', { n: fmt.oneDecimal(Math.abs(diff / before) * 100) });
    const good = spec.better === 0 || diff === 0 ? 'neutral' : (Math.sign(diff) === spec.better ? 'good' : 'bad');
    const arrow = diff > 0 ? '▲' : diff < 0 ? '▼' : '■';
    return h('p', { class: 'change ' + good }, h('span', { 'aria-hidden': 'true' }, arrow + ' '),
      diff === 0 ? t('impact.flat') : t(diff > 0 ? 'impact.up' : 'impact.down', { change: size }));
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
      status.textContent = t('reports.loading');
      load(true);
    },
  };
}
