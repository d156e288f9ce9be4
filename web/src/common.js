// Pieces the gaps and answers pages share: error blocks, status badges, paging.
import { h } from './dom.js';
import { t } from './i18n.js';
import * as fmt from './format.js';

// True when the server has no such endpoint at all (an older server).
export function missingEndpoint(e) {
  return e && e.status === 404 && e.field === 'path';
}

export function errorBlock(title, e, retry) {
  const message = missingEndpoint(e)
    ? t('common.missingEndpoint')
    : e.message;
  return h('div', { class: 'error', role: 'alert' }, h('h2', {}, title), h('p', {}, message),
    retry ? h('button', { type: 'button', onclick: retry }, t('common.tryAgain')) : null);
}

// A loading sentence ("Loading topics…"), already in the page's language.
export function loading(text) {
  return h('p', { class: 'loading', role: 'status' }, text);
}

const STATUSES = ['open', 'answered', 'reopened', 'dismissed'];

export function statusBadge(topic) {
  const text = STATUSES.includes(topic.status) ? t('status.' + topic.status) : topic.status;
  return h('span', { class: 'badge ' + topic.status, dataset: { status: topic.status } }, text,
    topic.status === 'reopened' && topic.since_answer ? t('status.sinceAnswer', { n: topic.since_answer }) : null);
}

// "Showing 1–25 of 120" with previous/next buttons; go(offset) moves.
export function pager(total, offset, limit, go) {
  if (total === 0) return null;
  const last = Math.min(total, offset + limit);
  return h('nav', { class: 'pager', 'aria-label': t('nav.pages') },
    h('button', { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - limit)) }, t('common.previous')),
    h('span', { role: 'status' }, t('common.showing', { first: fmt.count(offset + 1), last: fmt.count(last), total: fmt.count(total) })),
    h('button', { type: 'button', disabled: last >= total, onclick: () => go(offset + limit) }, t('common.next')));
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
