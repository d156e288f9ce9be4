// One conversation (GET /v1/conversations/{id}): its derived state, then its
// events in order — the question asked, whether the agent answered, the
// handoff and its reason, the team's replies, the ratings and their comments.
import * as api from './api.js';
import { h, mount } from './dom.js';
import * as fmt from './format.js';
import { t } from './i18n.js';

// What each event says, in a line a lead reads.
const who = (e) => e.member_name || e.member_id || '';
function describe(e) {
  switch (e.type) {
    case 'conversation.started': return [t('ev.started'), t('ev.startedDetail', { channel: e.channel, handler: e.handler === 'human' ? t('view.aPerson') : t('view.theAgent') })];
    case 'question.asked': return [e.answered ? t('ev.answered') : t('ev.unanswered'), e.text];
    case 'conversation.handed_off': return [t('ev.handedOff'), [e.reason ? fmt.reasonText(e.reason) : t('ev.noReason'), e.member_id ? t('ev.to', { member: who(e) }) : '', e.ticket_id ? t('ev.ticket', { ticket: e.ticket_id }) : ''].join('')];
    case 'human.replied': return [t('ev.replied'), who(e) + (e.text ? ': ' + e.text : '')];
    case 'conversation.resolved': return [t('ev.resolved'), e.by === 'agent' ? t('ev.resolvedByAgent') : t('ev.resolvedBy', { member: who(e) || t('view.aPerson') })];
    case 'conversation.closed': return [t('ev.closed'), ''];
    case 'ticket.closed': return [t('ev.ticketClosed'), e.member_id ? t('ev.ticketClosedBy', { ticket: e.ticket_id || '', member: who(e) }) : (e.ticket_id || '')];
    case 'feedback.submitted': return [e.rating === 'helpful' ? t('ev.helpful') : t('ev.notHelpful'), e.comment || ''];
    default: return [e.type, ''];
  }
}

function outcome(c) {
  if (c.resolved_by_agent) return t('view.resolvedByAgent');
  if (c.handed_off) return t('view.handedOff') + (c.handoff_reason ? ' (' + fmt.reasonText(c.handoff_reason) + ')' : '');
  if (c.deflected) return t('view.deflected');
  return c.provisional ? t('view.notEnded') : '–';
}

export function conversationView(root, id, params) {
  let stopped = false;
  const body = h('div', { class: 'conversation', 'aria-busy': 'true' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, t('view.title', { id }))), body);
  api.get('/v1/conversations/' + encodeURIComponent(id), { now: params.get('now') || '' }).then(({ data: c }) => {
    if (stopped) return;
    const facts = [
      [t('view.started'), fmt.dateTime(c.started_at)], [t('view.channel'), c.channel],
      [t('view.handledBy'), c.handled ? t('view.theAgent') : t('view.aPerson')],
      [t('view.outcome'), outcome(c)],
      [t('view.resolver'), c.resolver === 'agent' ? t('team.agent') : (c.resolver || '–')],
      [t('view.questions'), t('view.questionsValue', { asked: fmt.count(c.questions), unanswered: fmt.count(c.unanswered) })],
      [t('view.ratings'), c.helpful || c.not_helpful ? t('view.ratingsValue', { helpful: fmt.count(c.helpful), not_helpful: fmt.count(c.not_helpful) }) : '–'],
    ];
    mount(body,
      h('dl', { class: 'figures' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
      c.url ? h('p', {}, h('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer' }, t('view.openInTool'))) : null,
      h('h2', {}, t('view.events')),
      h('ol', { class: 'timeline' }, c.events.map((e) => {
        const [what, detail] = describe(e);
        return h('li', { dataset: { type: e.type } },
          h('time', { datetime: e.at }, fmt.dateTime(e.at)), ' ', h('strong', {}, what), detail ? [' — ', detail] : null);
      })),
      c.events_total > c.events.length ? h('p', { class: 'muted' }, t('view.firstOf', { shown: fmt.count(c.events.length), total: fmt.count(c.events_total) })) : null);
    body.setAttribute('aria-busy', 'false');
  }).catch((e) => {
    if (stopped) return;
    body.setAttribute('aria-busy', 'false');
    mount(body, h('div', { class: 'error', role: 'alert' }, h('h2', {}, t('view.loadFailed')), h('p', {}, e.message)));
  });
  return { leave: () => { stopped = true; } };
}
