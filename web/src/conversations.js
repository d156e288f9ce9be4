// The conversations behind a figure (GET /v1/conversations): every count and
// rate of the Reports page links here with its range, channel and metric.
// A page of 100 at a time ("Show more"), each with its derived state and the
// link to the conversation in the team's own tool, and CSV / NDJSON exports.
import * as api from './api.js';
import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { t } from './i18n.js';

// The metrics with a title of their own (conv.<metric>: what the list holds).
const METRICS = ['conversations', 'handled', 'resolved', 'deflected', 'handed_off', 'converted', 'helpful', 'not_helpful', 'asked', 'unanswered'];

const PARAMS = ['metric', 'from', 'to', 'channel', 'resolver', 'reason', 'assignee', 'language', 'now'];

function query(params) {
  const out = {};
  for (const name of PARAMS) if (params.get(name)) out[name] = params.get(name);
  return out;
}

// Badges of a row's derived state, in the order a lead reads them.
function states(c) {
  const out = [];
  if (!c.handled) out.push(['human', t('conv.byPerson')]);
  if (c.resolved_by_agent) out.push(['resolved', t('conv.resolvedByAgent')]);
  else if (c.deflected) out.push(['deflected', t('conv.deflectedBadge')]);
  if (c.handed_off) out.push(['handed-off', c.handoff_reason ? t('conv.handedOffBecause', { reason: fmt.reasonText(c.handoff_reason) }) : t('conv.handedOff')]);
  if (c.converted) out.push(['converted', t('conv.convertedBadge')]);
  if (c.provisional) out.push(['provisional', t('conv.notEnded')]);
  return out.map(([cls, text]) => h('span', { class: 'badge ' + cls }, text));
}

// The ratings' comments (lists of a rating carry them; not helpful ones first).
function comments(c) {
  const said = (c.feedback || []).filter((f) => f.comment);
  if (!said.length) return null;
  return h('ul', { class: 'comments' }, said.map((f) => h('li', { dataset: { rating: f.rating } },
    h('span', { class: 'badge ' + (f.rating === 'helpful' ? 'resolved' : 'handed-off') }, f.rating === 'helpful' ? t('ev.helpful') : t('ev.notHelpful')), ' ', f.comment)));
}

function row(c, nowParam) {
  return h('tr', { dataset: { id: c.id } },
    h('td', { class: 'nowrap' }, h('time', { datetime: c.started_at, title: fmt.dateTime(c.started_at) }, fmt.shortDateTime(c.started_at))),
    h('th', { scope: 'row' }, h('a', { href: '#/conversations/' + encodeURIComponent(c.id) + (nowParam ? '?now=' + encodeURIComponent(nowParam) : '') }, c.id),
      c.url ? [' ', h('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer', title: t('conv.openInTool'), 'aria-label': t('conv.openIdInTool', { id: c.id }) }, '↗')] : null),
    h('td', {}, c.channel),
    h('td', { class: 'states' }, states(c), comments(c),
      c.ticket ? h('span', { class: 'ticket' }, ' ', c.ticket_url ? h('a', { href: c.ticket_url, target: '_blank', rel: 'noopener noreferrer' }, t('conv.ticket', { ticket: c.ticket })) : t('conv.ticket', { ticket: c.ticket })) : null),
    h('td', {}, c.resolver === 'agent' ? t('team.agent') : (c.resolver || '–')),
    h('td', { class: 'num', dataset: { field: 'questions' } }, fmt.count(c.questions)),
    h('td', { class: 'num', dataset: { field: 'unanswered' } }, fmt.count(c.unanswered)),
    h('td', { class: 'num' }, c.helpful || c.not_helpful ? `${c.helpful} 👍 ${c.not_helpful} 👎` : '–'));
}

export function conversationsPage(root, params) {
  let q = query(params);
  let stopped = false;
  const status = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, t('conv.loading'));
  const body = h('div', { class: 'conversations', 'aria-busy': 'true' });
  const metric = q.metric || 'conversations';
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, METRICS.includes(metric) ? t('conv.' + metric) : t('conv.title')), status), body);

  const exportButton = (format) => h('button', {
    type: 'button', class: 'csv', dataset: { format },
    onclick: () => api.download('/v1/conversations', { ...q, format }, 'conversations.' + format)
      .catch((e) => { status.textContent = t('reports.downloadFailed', { message: e.message }); }),
  }, format.toUpperCase());

  async function load() {
    let cursor = null;
    let shown = 0;
    const tbody = h('tbody', {});
    const more = h('button', { type: 'button', hidden: true, onclick: () => page() }, t('conv.showMore'));
    async function page() {
      more.disabled = true;
      try {
        const { data } = await api.get('/v1/conversations', { ...q, cursor: cursor || '' });
        if (stopped) return;
        if (shown === 0) {
          const scope = [`${fmt.day(data.from)} – ${fmt.day(fmt.addDays(data.to, -1))}`,
            data.channel ? t('conv.channel', { channel: data.channel }) : t('conv.allChannels'),
            data.resolver ? t('conv.resolvedBy', { resolver: data.resolver === 'agent' ? t('conv.theAgent') : data.resolver }) : null,
            data.reason ? t('conv.reason', { reason: fmt.reasonText(data.reason) }) : null,
            data.assignee ? t('conv.assignee', { assignee: data.assignee }) : null,
            data.language ? t('conv.language', { language: data.language }) : null,
            t('conv.statesAsOf', { time: fmt.dateTime(data.now) }), t('conv.zone', { zone: data.time_zone })].filter(Boolean).join(' · ');
          mount(body,
            h('p', { class: 'scope' }, scope, ' · ', h('a', { href: '#' + api.url('/reports', { from: data.from, to: data.to, channel: data.channel || '', now: q.now || '' }) }, t('conv.back'))),
            h('div', { class: 'exports' }, t('conv.exportAll'), exportButton('csv'), ' ', exportButton('ndjson')),
            h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('conv.scroll') },
              h('table', { class: 'ranked conversations-table' },
                h('thead', {}, h('tr', {}, ['conv.started', 'conv.conversation', 'conv.channelCol', 'conv.state', 'conv.resolver', 'conv.questions', 'conv.unansweredCol', 'conv.ratings']
                  .map((key, i) => h('th', { scope: 'col', class: i >= 5 ? 'num' : null }, t(key))))),
                tbody)),
            more);
        }
        for (const c of data.conversations) tbody.append(row(c, q.now));
        shown += data.conversations.length;
        cursor = data.next_cursor;
        more.hidden = !cursor;
        more.disabled = false;
        body.setAttribute('aria-busy', 'false');
        status.textContent = shown === 0 ? t('conv.none') : t(cursor ? 'conv.shownMore' : 'conv.shownAll', { n: shown });
      } catch (e) {
        if (stopped) return;
        body.setAttribute('aria-busy', 'false');
        mount(body, h('div', { class: 'error', role: 'alert' }, h('h2', {}, t('conv.failed')), h('p', {}, e.message)));
        status.textContent = '';
      }
    }
    await page();
  }

  load();
  return {
    leave: () => { stopped = true; },
    update: (next) => { q = query(next); body.setAttribute('aria-busy', 'true'); load(); },
  };
}
