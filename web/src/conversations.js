// The conversations behind a figure (GET /v1/conversations): every count and
// rate of the Reports page links here with its range, channel and metric.
// A page of 100 at a time ("Show more"), each with its derived state and the
// link to the conversation in the team's own tool, and CSV / NDJSON exports.
import * as api from './api.js';
import { h, mount } from './dom.js';
import * as fmt from './format.js';

// What each metric lists, as a title.
const TITLES = {
  conversations: 'All conversations',
  handled: 'Conversations handled by the agent',
  resolved: 'Conversations resolved by the agent',
  deflected: 'Deflected conversations',
  handed_off: 'Conversations handed off to a human',
  converted: 'Handoffs the team converted',
  helpful: 'Conversations rated helpful',
  not_helpful: 'Conversations rated not helpful',
  asked: 'Conversations with questions',
  unanswered: 'Conversations with an unanswered question',
};

const PARAMS = ['metric', 'from', 'to', 'channel', 'resolver', 'reason', 'assignee', 'language', 'now'];

function query(params) {
  const out = {};
  for (const name of PARAMS) if (params.get(name)) out[name] = params.get(name);
  return out;
}

// Badges of a row's derived state, in the order a lead reads them.
function states(c) {
  const out = [];
  if (!c.handled) out.push(['human', 'handled by a person']);
  if (c.resolved_by_agent) out.push(['resolved', 'resolved by the agent']);
  else if (c.deflected) out.push(['deflected', 'deflected']);
  if (c.handed_off) out.push(['handed-off', 'handed off' + (c.handoff_reason ? ': ' + c.handoff_reason.replace(/_/g, ' ') : '')]);
  if (c.converted) out.push(['converted', 'converted']);
  if (c.provisional) out.push(['provisional', 'not ended yet']);
  return out.map(([cls, text]) => h('span', { class: 'badge ' + cls }, text));
}

function row(c, nowParam) {
  return h('tr', { dataset: { id: c.id } },
    h('td', { class: 'nowrap' }, h('time', { datetime: c.started_at, title: fmt.dateTime(c.started_at) }, fmt.shortDateTime(c.started_at))),
    h('th', { scope: 'row' }, h('a', { href: '#/conversations/' + encodeURIComponent(c.id) + (nowParam ? '?now=' + encodeURIComponent(nowParam) : '') }, c.id),
      c.url ? [' ', h('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer', title: 'Open in your support tool', 'aria-label': 'Open ' + c.id + ' in your support tool' }, '↗')] : null),
    h('td', {}, c.channel),
    h('td', { class: 'states' }, states(c)),
    h('td', {}, c.resolver === 'agent' ? 'Customer agent (AI)' : (c.resolver || '–')),
    h('td', { class: 'num', dataset: { field: 'questions' } }, fmt.count(c.questions)),
    h('td', { class: 'num', dataset: { field: 'unanswered' } }, fmt.count(c.unanswered)),
    h('td', { class: 'num' }, c.helpful || c.not_helpful ? `${c.helpful} 👍 ${c.not_helpful} 👎` : '–'));
}

export function conversationsPage(root, params) {
  let q = query(params);
  let stopped = false;
  const status = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, 'Loading conversations…');
  const body = h('div', { class: 'conversations', 'aria-busy': 'true' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, TITLES[q.metric || 'conversations'] || 'Conversations'), status), body);

  const exportButton = (format) => h('button', {
    type: 'button', class: 'csv', dataset: { format },
    onclick: () => api.download('/v1/conversations', { ...q, format }, 'conversations.' + format)
      .catch((e) => { status.textContent = 'Download failed: ' + e.message; }),
  }, format.toUpperCase());

  async function load() {
    let cursor = null;
    let shown = 0;
    const tbody = h('tbody', {});
    const more = h('button', { type: 'button', hidden: true, onclick: () => page() }, 'Show more');
    async function page() {
      more.disabled = true;
      try {
        const { data } = await api.get('/v1/conversations', { ...q, cursor: cursor || '' });
        if (stopped) return;
        if (shown === 0) {
          const scope = [`${fmt.bucket(data.from, 'day')} ${data.from.slice(0, 4)} – ` +
            `${fmt.bucket(addDays(data.to, -1), 'day')} ${addDays(data.to, -1).slice(0, 4)}`,
          data.channel ? 'channel ' + data.channel : 'all channels',
          data.resolver ? 'resolved by ' + (data.resolver === 'agent' ? 'the agent' : data.resolver) : null,
          data.reason ? 'reason ' + data.reason.replace(/_/g, ' ') : null,
          data.assignee ? 'handed to ' + data.assignee : null,
          data.language ? 'language ' + data.language : null,
          'states as of ' + fmt.dateTime(data.now), 'times in ' + data.time_zone].filter(Boolean).join(' · ');
          mount(body,
            h('p', { class: 'scope' }, scope, ' · ', h('a', { href: '#' + api.url('/reports', { from: data.from, to: data.to, channel: data.channel || '', now: q.now || '' }) }, 'back to the reports')),
            h('div', { class: 'exports' }, 'Export all: ', exportButton('csv'), ' ', exportButton('ndjson')),
            h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Conversations, scrollable' },
              h('table', { class: 'ranked conversations-table' },
                h('thead', {}, h('tr', {}, ['Started', 'Conversation', 'Channel', 'State', 'Resolver', 'Questions', 'Unanswered', 'Ratings']
                  .map((t, i) => h('th', { scope: 'col', class: i >= 5 ? 'num' : null }, t)))),
                tbody)),
            more);
        }
        for (const c of data.conversations) tbody.append(row(c, q.now));
        shown += data.conversations.length;
        cursor = data.next_cursor;
        more.hidden = !cursor;
        more.disabled = false;
        body.setAttribute('aria-busy', 'false');
        status.textContent = shown === 0 ? 'No conversations.' : `${fmt.count(shown)} shown` + (cursor ? ', more to show' : ', all of them');
      } catch (e) {
        if (stopped) return;
        body.setAttribute('aria-busy', 'false');
        mount(body, h('div', { class: 'error', role: 'alert' }, h('h2', {}, 'The conversations could not be loaded'), h('p', {}, e.message)));
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

function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
