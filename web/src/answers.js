// The Short answers page (SPEC §6): search, create, edit, disable, delete,
// and a "try it" box that asks the match API what the agent would find.
import * as api from './api.js';
import { h, mount, field, select, toast } from './dom.js';
import * as fmt from './format.js';
import { errorBlock, loading, pager, debounce } from './common.js';
import { t, intlLocale } from './i18n.js';

const LIMIT = 25;

function answerState(params) {
  return { q: params.get('q') || '', enabled: params.get('enabled') || '', offset: Number(params.get('offset')) || 0 };
}

// A match score with two decimals in the locale ("0.87" / "0,87").
function score(x) {
  return new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(x.toFixed(2)));
}


export function answersPage(root, params, ctx) {
  let s = answerState(params);
  let stopped = false;
  let editing = null;  // the answer being edited, {} for a new one, null for none
  const search = h('input', { type: 'search', name: 'q', value: s.q, placeholder: t('answers.searchPlaceholder') });
  search.addEventListener('input', debounce(() => ctx.nav('answers', { ...s, q: search.value.trim(), offset: '' }), 300));
  const controls = h('form', { class: 'controls', role: 'search', onsubmit: (e) => e.preventDefault() },
    field(t('answers.search'), search),
    field(t('answers.show'), select([['', t('answers.all')], ['true', t('answers.enabled')], ['false', t('answers.disabled')]], s.enabled,
      { name: 'enabled', onchange: (e) => ctx.nav('answers', { ...s, enabled: e.target.value, offset: '' }) })),
    ctx.admin ? h('button', { type: 'button', class: 'primary', onclick: () => { editing = {}; renderEditor(); } }, t('answers.new')) : null);
  const editor = h('div');
  const list = h('div', { 'aria-live': 'polite' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, t('answers.title')),
    h('p', { class: 'muted' }, t('answers.intro'))),
  tryIt(), controls, editor, list);

  async function load() {
    list.setAttribute('aria-busy', 'true');
    if (!list.firstChild) mount(list, loading(t('answers.loading')));
    try {
      const { data } = await api.get('/v1/answers', { q: s.q, enabled: s.enabled, limit: LIMIT, offset: s.offset || '' });
      if (!stopped) render(data);
    } catch (e) {
      if (!stopped) mount(list, errorBlock(t('answers.failed'), e, load));
    }
    list.setAttribute('aria-busy', 'false');
  }

  function render(data) {
    if (data.total === 0) {
      mount(list, h('p', { class: 'empty' }, s.q || s.enabled ? t('answers.noMatch') : t('answers.none')));
      return;
    }
    mount(list, h('ul', { class: 'answers' }, data.answers.map((a) => h('li', { class: a.enabled ? null : 'disabled', dataset: { answer: a.id } },
      h('h3', {}, a.question, a.enabled ? null : h('span', { class: 'badge dismissed' }, t('answers.disabled')),
        a.language ? h('span', { class: 'badge' }, a.language) : null),
      a.alternatives && a.alternatives.length ? h('p', { class: 'muted' }, t('answers.also'), a.alternatives.join(' · ')) : null,
      h('p', { class: 'answer-text' }, a.answer),
      h('p', { class: 'muted' }, a.id, t('answers.updated'), fmt.dateTime(a.updated_at)),
      ctx.admin ? h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'small', onclick: () => { editing = a; renderEditor(); } }, t('answers.edit')),
        h('button', { type: 'button', class: 'small', onclick: () => change(a, { enabled: !a.enabled }, t(a.enabled ? 'answers.disabledDone' : 'answers.enabledDone')) }, t(a.enabled ? 'answers.disable' : 'answers.enable')),
        h('button', { type: 'button', class: 'small danger', onclick: () => remove(a) }, t('answers.delete'))) : null))),
    pager(data.total, data.offset, data.limit, (offset) => ctx.nav('answers', { ...s, offset })));
  }

  async function change(a, fields, done) {
    try { await api.patch('/v1/answers/' + encodeURIComponent(a.id), fields); toast(done); load(); } catch (e) { toast(e.message); }
  }

  async function remove(a) {
    if (!confirm(t('answers.confirmDelete', { question: a.question }))) return;
    try { await api.del('/v1/answers/' + encodeURIComponent(a.id)); toast(t('answers.deleted')); load(); } catch (e) { toast(e.message); }
  }

  function renderEditor() {
    if (!editing) { mount(editor); return; }
    const a = editing;
    const question = h('textarea', { name: 'question', rows: 2, required: true }, a.question || '');
    const alternatives = h('textarea', { name: 'alternatives', rows: 2 }, (a.alternatives || []).join('\n'));
    const answer = h('textarea', { name: 'answer', rows: 5, required: true }, a.answer || '');
    const language = h('input', { type: 'text', name: 'language', value: a.language || '', size: 6, placeholder: 'en' });
    const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: a.enabled !== false });
    const error = h('p', { class: 'error', role: 'alert' });
    mount(editor, h('form', { class: 'panel answer-form', 'aria-labelledby': 'edit-title', onsubmit: async (e) => {
      e.preventDefault();
      const body = { question: question.value.trim(), answer: answer.value.trim(),
        alternatives: alternatives.value.split('\n').map((x) => x.trim()).filter(Boolean), enabled: enabled.checked };
      if (language.value.trim()) body.language = language.value.trim();
      try {
        if (a.id) await api.patch('/v1/answers/' + encodeURIComponent(a.id), body);
        else await api.post('/v1/answers', body);
        toast(t(a.id ? 'answers.saved' : 'answers.created'));
        editing = null;
        renderEditor();
        load();
      } catch (err) {
        error.textContent = err.message + (err.field ? ` (${err.field})` : '');
      }
    } },
    h('h2', { id: 'edit-title' }, t(a.id ? 'answers.editTitle' : 'answers.new')),
    field(t('answers.question'), question), field(t('answers.alternatives'), alternatives, t('answers.alternativesHint')),
    field(t('answers.answer'), answer, t('answers.answerHint')), field(t('answers.language'), language, t('answers.languageHint')),
    h('label', { class: 'check' }, enabled, t('answers.enabledCheck')),
    error,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t(a.id ? 'answers.save' : 'answers.create')),
      h('button', { type: 'button', onclick: () => { editing = null; renderEditor(); } }, t('answers.cancel')))));
    question.focus();
  }

  // What the agent would do, in words: the answer's question and text, its
  // score against the account's bar; never an internal id.
  function verdict(data, reply) {
    const cands = data.candidates || [];
    const closest = cands[0];
    const label = (c) => (c.question ? t('answers.quoted', { text: c.question }) : t('answers.unreadable'));
    const versus = (c) => t('answers.versus', { score: score(c.score), bar: score(data.threshold) });
    if (data.match) {
      const best = cands.find((c) => c.id === data.match.id) || { question: null, score: data.match.score };
      return [h('p', { class: 'found' }, t('answers.wouldAnswer'),
        h('strong', { dataset: { answer: data.match.id } }, label(best)), ` (${versus(best)}).`),
        reply ? h('div', { class: 'bubble answer-text' }, reply) : null];
    }
    if (!closest) return h('p', { class: 'none' }, t('answers.noAnswers'));
    return h('p', { class: 'none' }, t('answers.wouldHandOff'), h('strong', {}, label(closest)),
      t('answers.notClose', { versus: versus(closest) }));
  }

  function candidateList(data) {
    const cands = data.candidates || [];
    if (cands.length < 2) return null;
    return [h('p', { class: 'muted' }, t('answers.closest')),
      h('ol', { class: 'candidates' }, cands.map((c) =>
        h('li', {}, c.question || t('answers.unavailable'), h('span', { class: 'muted' }, t('answers.score', { score: score(c.score) })))))];
  }

  function tryIt() {
    const question = h('input', { type: 'text', name: 'try', required: true, placeholder: t('answers.askAsVisitor') });
    const language = h('input', { type: 'text', name: 'try-language', size: 6, placeholder: t('answers.any') });
    const result = h('div', { class: 'match', 'aria-live': 'polite' });
    return h('section', { class: 'panel', 'aria-labelledby': 'try-title' },
      h('h2', { id: 'try-title' }, t('answers.tryIt')),
      h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        mount(result, loading(t('answers.loadingMatch')));
        try {
          const body = { question: question.value.trim(), limit: 3 };
          if (language.value.trim()) body.language = language.value.trim();
          const { data } = await api.post('/v1/answers/match', body);
          let reply = null;
          if (data.match) {
            try { reply = (await api.get('/v1/answers/' + encodeURIComponent(data.match.id))).data.answer; } catch (e) { /* shown without the text */ }
          }
          mount(result, verdict(data, reply), candidateList(data));
        } catch (err) {
          mount(result, errorBlock(t('answers.matchFailed'), err));
        }
      } }, field(t('answers.visitorQuestion'), question), field(t('answers.language'), language), h('button', { type: 'submit' }, t('answers.find'))),
      result);
  }

  load();
  return {
    leave: () => { stopped = true; },
    update: (next) => { s = answerState(next); load(); },
  };
}
