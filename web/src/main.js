// The dashboard's shell: sign-in, the navigation and a hash router. The hash
// keeps each page's state (#/reports?from=…&channel=chat), so a link can be
// shared; the token never goes into it.
import * as api from './api.js';
import * as fmt from './format.js';
import { h, mount, field } from './dom.js';
import { reportsPage, firstRequest } from './reports.js';
import { gapsPage, topicPage } from './gaps.js';
import { answersPage } from './answers.js';
import { conversationsPage } from './conversations.js';
import { conversationView } from './conversation.js';
import './style.css';

const app = document.getElementById('app');
let me = null;          // {account, role, time_zone} of the signed-in token
let leave = null;       // the current page's clean-up
let current = null;     // {page, id, update} of the page shown

const PAGES = [
  ['reports', 'Reports'],
  ['gaps', 'Knowledge gaps'],
  ['answers', 'Short answers'],
];

// Navigates to a page with the given state; empty values are left out.
export function nav(page, params) {
  location.hash = api.url('/' + page, params);
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  return { page: parts[0] || 'reports', id: parts[1] || null, params: new URLSearchParams(query || '') };
}

function signIn(message) {
  if (leave) { leave(); leave = null; }
  current = null;
  me = null;
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'signin-help' });
  const error = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title', onsubmit: async (e) => {
    e.preventDefault();
    api.setToken(input.value.trim());
    error.textContent = '';
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      await start();
    } catch (err) {
      api.setToken(null);
      signIn(err.status === 401 ? 'That token is not valid (or was revoked).' : err.message);
    }
  } },
  h('h1', { id: 'signin-title' }, 'agentperf'),
  h('p', {}, 'How your customer agent performs, and what it cannot answer yet.'),
  field('Account token', input),
  h('p', { id: 'signin-help', class: 'muted' }, 'A viewer or admin token from `agentperf tokens create`. It is kept in this browser tab only, until you sign out or close the tab.'),
  error);
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  form.append(button);
  mount(app, h('main', { id: 'main', class: 'center' }, form));
  input.focus();
}

async function start() {
  const { page, params } = parseHash();
  if (page === 'reports') api.prefetch(...firstRequest(params));
  const { data } = await api.get('/v1/me');
  if (data.role === 'ingest') {
    throw new Error('This is an ingest token: it can send events but not read reports. Use a viewer or admin token.');
  }
  me = data;
  fmt.setTimeZone(me.time_zone);
  document.body.dataset.role = me.role;
  renderShell();
  route();
}

function renderShell() {
  const links = PAGES.map(([page, label]) => h('a', { href: '#/' + page, dataset: { page } }, label));
  mount(app,
    // The hash is the router's, so the skip link moves the focus itself.
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } }, 'Skip to content'),
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'agentperf'),
      h('nav', { 'aria-label': 'Pages' }, links),
      h('span', { class: 'who' }, me.account, ' · ', h('span', { class: 'role', dataset: { role: me.role } }, me.role),
        ' · ', h('span', { class: 'zone', title: 'Times on every page are in the account\'s time zone' }, me.time_zone)),
      h('button', { type: 'button', class: 'link', onclick: () => { api.setToken(null); signIn('Signed out.'); } }, 'Sign out')),
    h('main', { id: 'main', tabindex: '-1' }),
    h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' }));
}

function route() {
  if (!me) return;
  const { page, id, params } = parseHash();
  const main = document.getElementById('main');
  // A page that can take new state in place keeps its controls (and the focus).
  if (current && current.page === page && current.id === id && current.update) {
    current.update(params);
    return;
  }
  if (leave) { leave(); leave = null; }
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const ctx = { me, nav, admin: me.role === 'admin' };
  let shown = null;
  if (page === 'reports') shown = reportsPage(main, params, nav);
  else if (page === 'gaps' && id) shown = topicPage(main, id, params, ctx);
  else if (page === 'gaps') shown = gapsPage(main, params, ctx);
  else if (page === 'answers') shown = answersPage(main, params, ctx);
  else if (page === 'conversations' && id) shown = conversationView(main, decodeURIComponent(id), params);
  else if (page === 'conversations') shown = conversationsPage(main, params);
  else mount(main, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ', h('a', { href: '#/reports' }, 'Go to the reports.')));
  leave = shown ? shown.leave : null;
  current = { page, id, update: shown ? shown.update : null };
  document.title = (PAGES.find(([p]) => p === page) || [0, page === 'conversations' ? 'Conversations' : 'agentperf'])[1] + ' · agentperf';
}

api.whenUnauthorized(() => {
  if (!me) return; // signing in: the sign-in form reports it
  api.setToken(null);
  signIn('Your token is no longer valid. Sign in again.');
});
window.addEventListener('hashchange', route);

if (api.token()) {
  start().catch((err) => {
    if (err.status !== 401) signIn(err.message);
  });
} else {
  signIn();
}
