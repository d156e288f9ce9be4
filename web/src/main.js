// The dashboard's shell: sign-in, the navigation and a hash router. The hash
// keeps each page's state (#/reports?from=…&channel=chat), so a link can be
// shared; the token never goes into it.
import * as api from './api.js';
import * as fmt from './format.js';
import { h, mount, field, select } from './dom.js';
import { t, initLanguage, setLanguage, language, languages } from './i18n.js';
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

// The pages of the navigation, with their names' message keys.
const PAGES = [
  ['reports', 'nav.reports'],
  ['gaps', 'nav.gaps'],
  ['answers', 'nav.answers'],
];

// The language switch: each language named in itself (and marked so, for
// screen readers). A change re-renders whatever is shown in the new language.
function languageSwitch(rerender) {
  const control = select(languages(), language(), { name: 'language', onchange: (e) => {
    setLanguage(e.target.value);
    rerender();
    document.querySelector('[name="language"]')?.focus();
  } });
  for (const option of control.options) option.lang = option.value;
  return h('div', { class: 'language' }, field(t('lang.label'), control));
}

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
    button.textContent = t('signin.busy');
    try {
      await start();
    } catch (err) {
      api.setToken(null);
      signIn(err.status === 401 ? t('signin.invalid') : err.message);
    }
  } },
  h('h1', { id: 'signin-title' }, 'agentperf'),
  h('p', {}, t('signin.tagline')),
  field(t('signin.token'), input),
  h('p', { id: 'signin-help', class: 'muted' }, t('signin.help')),
  error);
  const button = h('button', { type: 'submit', class: 'primary' }, t('signin.submit'));
  form.append(button);
  mount(app, h('main', { id: 'main', class: 'center' }, form, languageSwitch(() => signIn())));
  input.focus();
}

async function start() {
  const { page, params } = parseHash();
  if (page === 'reports') api.prefetch(...firstRequest(params));
  const { data } = await api.get('/v1/me');
  if (data.role === 'ingest') {
    throw new Error(t('signin.ingest'));
  }
  me = data;
  fmt.setTimeZone(me.time_zone);
  document.body.dataset.role = me.role;
  renderShell();
  route();
}

function renderShell() {
  const links = PAGES.map(([page, key]) => h('a', { href: '#/' + page, dataset: { page } }, t(key)));
  const role = me.role === 'admin' || me.role === 'viewer' ? t('role.' + me.role) : me.role;
  mount(app,
    // The hash is the router's, so the skip link moves the focus itself.
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } }, t('shell.skip')),
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'agentperf'),
      h('nav', { 'aria-label': t('nav.pages') }, links),
      h('span', { class: 'who' }, me.account, ' · ', h('span', { class: 'role', dataset: { role: me.role } }, role),
        ' · ', h('span', { class: 'zone', title: t('shell.zoneTitle') }, me.time_zone)),
      languageSwitch(rerenderAll),
      h('button', { type: 'button', class: 'link', onclick: () => { api.setToken(null); signIn(t('shell.signedOut')); } }, t('shell.signOut'))),
    h('main', { id: 'main', tabindex: '-1' }),
    h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' }));
}

// The shell and the page shown, drawn again from scratch (a new language).
function rerenderAll() {
  if (leave) { leave(); leave = null; }
  current = null;
  renderShell();
  route();
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
  else mount(main, h('h1', {}, t('shell.notFound')), h('p', {}, t('shell.noSuchPage'), h('a', { href: '#/reports' }, t('shell.toReports'))));
  leave = shown ? shown.leave : null;
  current = { page, id, update: shown ? shown.update : null };
  const named = PAGES.find(([p]) => p === page);
  document.title = (named ? t(named[1]) : page === 'conversations' ? t('nav.conversations') : 'agentperf') + ' · agentperf';
}

api.whenUnauthorized(() => {
  if (!me) return; // signing in: the sign-in form reports it
  api.setToken(null);
  signIn(t('shell.expired'));
});
window.addEventListener('hashchange', route);

initLanguage();

if (api.token()) {
  start().catch((err) => {
    if (err.status !== 401) signIn(err.message);
  });
} else {
  signIn();
}
