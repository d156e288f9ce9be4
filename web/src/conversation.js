// One conversation (GET /v1/conversations/{id}): its derived state, then its
// events in order — the question asked, whether the agent answered, the
// handoff and its reason, the team's replies, the ratings and their comments.
import * as api from './api.js';
import { h, mount } from './dom.js';
import * as fmt from './format.js';

// What each event says, in a line a lead reads.
function describe(e) {
  switch (e.type) {
    case 'conversation.started': return ['Started', `on ${e.channel}, handled by ${e.handler === 'human' ? 'a person' : 'the agent'}`];
    case 'question.asked': return [e.answered ? 'Asked, answered' : 'Asked, not answered', e.text];
    case 'conversation.handed_off': return ['Handed off', [e.reason ? e.reason.replace(/_/g, ' ') : 'no reason given', e.member_id ? ' · to ' + (e.member_name || e.member_id) : '', e.ticket_id ? ' · ticket ' + e.ticket_id : ''].join('')];
    case 'human.replied': return ['Team replied', (e.member_name || e.member_id || '') + (e.text ? ': ' + e.text : '')];
    case 'conversation.resolved': return ['Resolved', e.by === 'agent' ? 'by the agent' : 'by ' + (e.member_name || e.member_id || 'a person')];
    case 'conversation.closed': return ['Closed', ''];
    case 'ticket.closed': return ['Ticket closed', (e.ticket_id || '') + (e.member_id ? ' by ' + (e.member_name || e.member_id) : '')];
    case 'feedback.submitted': return [e.rating === 'helpful' ? 'Rated helpful' : 'Rated not helpful', e.comment || ''];
    default: return [e.type, ''];
  }
}

export function conversationView(root, id, params) {
  let stopped = false;
  const body = h('div', { class: 'conversation', 'aria-busy': 'true' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, 'Conversation ' + id)), body);
  api.get('/v1/conversations/' + encodeURIComponent(id), { now: params.get('now') || '' }).then(({ data: c }) => {
    if (stopped) return;
    const facts = [
      ['Started', fmt.dateTime(c.started_at)], ['Channel', c.channel],
      ['Handled by', c.handled ? 'the agent' : 'a person'],
      ['Outcome', c.resolved_by_agent ? 'resolved by the agent' : c.handed_off ? 'handed off' + (c.handoff_reason ? ' (' + c.handoff_reason.replace(/_/g, ' ') + ')' : '') : c.deflected ? 'deflected' : c.provisional ? 'not ended yet' : '–'],
      ['Resolver', c.resolver === 'agent' ? 'Customer agent (AI)' : (c.resolver || '–')],
      ['Questions', `${fmt.count(c.questions)} (${fmt.count(c.unanswered)} not answered)`],
      ['Ratings', c.helpful || c.not_helpful ? `${c.helpful} helpful, ${c.not_helpful} not helpful` : '–'],
    ];
    mount(body,
      h('dl', { class: 'figures' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
      c.url ? h('p', {}, h('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer' }, 'Open in your support tool')) : null,
      h('h2', {}, 'Events'),
      h('ol', { class: 'timeline' }, c.events.map((e) => {
        const [what, detail] = describe(e);
        return h('li', { dataset: { type: e.type } },
          h('time', { datetime: e.at }, fmt.dateTime(e.at)), ' ', h('strong', {}, what), detail ? [' — ', detail] : null);
      })),
      c.events_total > c.events.length ? h('p', { class: 'muted' }, `The first ${c.events.length} of ${c.events_total} events.`) : null);
    body.setAttribute('aria-busy', 'false');
  }).catch((e) => {
    if (stopped) return;
    body.setAttribute('aria-busy', 'false');
    mount(body, h('div', { class: 'error', role: 'alert' }, h('h2', {}, 'The conversation could not be loaded'), h('p', {}, e.message)));
  });
  return { leave: () => { stopped = true; } };
}
