// Pieces the gaps and answers pages share: error blocks, status badges, paging.
import { h } from './dom.js';

// True when the server has no such endpoint at all (an older server).
export function missingEndpoint(e) {
  return e && e.status === 404 && e.field === 'path';
}

export function errorBlock(title, e, retry) {
  const message = missingEndpoint(e)
    ? 'This server does not offer this part of the API yet. Update agentperf to use this page.'
    : e.message;
  return h('div', { class: 'error', role: 'alert' }, h('h2', {}, title), h('p', {}, message),
    retry ? h('button', { type: 'button', onclick: retry }, 'Try again') : null);
}

export function loading(what) {
  return h('p', { class: 'loading', role: 'status' }, 'Loading ' + what + '…');
}

const STATUS_TEXT = { open: 'Open', answered: 'Answered', reopened: 'Reopened', dismissed: 'Dismissed' };

export function statusBadge(topic) {
  const text = STATUS_TEXT[topic.status] || topic.status;
  return h('span', { class: 'badge ' + topic.status, dataset: { status: topic.status } }, text,
    topic.status === 'reopened' && topic.since_answer ? ' · ' + topic.since_answer + ' since the answer' : null);
}

// "Showing 1–25 of 120" with previous/next buttons; go(offset) moves.
export function pager(total, offset, limit, go) {
  if (total === 0) return null;
  const last = Math.min(total, offset + limit);
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - limit)) }, '← Previous'),
    h('span', { role: 'status' }, `Showing ${offset + 1}–${last} of ${total}`),
    h('button', { type: 'button', disabled: last >= total, onclick: () => go(offset + limit) }, 'Next →'));
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
