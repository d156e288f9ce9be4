// The Short answers page (SPEC §6): search, create, edit, disable, delete,
// and a "try it" box that asks the match API what the agent would find.
import * as api from './api.js';
import { h, mount, field, select, toast } from './dom.js';
import * as fmt from './format.js';
import { errorBlock, loading, pager, debounce } from './common.js';

const LIMIT = 25;

function answerState(params) {
  return { q: params.get('q') || '', enabled: params.get('enabled') || '', offset: Number(params.get('offset')) || 0 };
}

export function answersPage(root, params, ctx) {
  let s = answerState(params);
  let stopped = false;
  let editing = null;  // the answer being edited, {} for a new one, null for none
  const search = h('input', { type: 'search', name: 'q', value: s.q, placeholder: 'Words in the question or answer' });
  search.addEventListener('input', debounce(() => ctx.nav('answers', { ...s, q: search.value.trim(), offset: '' }), 300));
  const controls = h('form', { class: 'controls', role: 'search', onsubmit: (e) => e.preventDefault() },
    field('Search', search),
    field('Show', select([['', 'All'], ['true', 'Enabled'], ['false', 'Disabled']], s.enabled,
      { name: 'enabled', onchange: (e) => ctx.nav('answers', { ...s, enabled: e.target.value, offset: '' }) })),
    ctx.admin ? h('button', { type: 'button', class: 'primary', onclick: () => { editing = {}; renderEditor(); } }, 'New short answer') : null);
  const editor = h('div');
  const list = h('div', { 'aria-live': 'polite' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, 'Short answers'),
    h('p', { class: 'muted' }, 'Questions and answers the customer agent can use.')),
  tryIt(), controls, editor, list);

  async function load() {
    list.setAttribute('aria-busy', 'true');
    if (!list.firstChild) mount(list, loading('short answers'));
    try {
      const { data } = await api.get('/v1/answers', { q: s.q, enabled: s.enabled, limit: LIMIT, offset: s.offset || '' });
      if (!stopped) render(data);
    } catch (e) {
      if (!stopped) mount(list, errorBlock('The short answers could not be loaded', e, load));
    }
    list.setAttribute('aria-busy', 'false');
  }

  function render(data) {
    if (data.total === 0) {
      mount(list, h('p', { class: 'empty' }, s.q || s.enabled ? 'No short answer matches.' :
        'No short answers yet. Create one here, or from a topic on the Knowledge gaps page.'));
      return;
    }
    mount(list, h('ul', { class: 'answers' }, data.answers.map((a) => h('li', { class: a.enabled ? null : 'disabled', dataset: { answer: a.id } },
      h('h3', {}, a.question, a.enabled ? null : h('span', { class: 'badge dismissed' }, 'Disabled'),
        a.language ? h('span', { class: 'badge' }, a.language) : null),
      a.alternatives && a.alternatives.length ? h('p', { class: 'muted' }, 'Also: ', a.alternatives.join(' · ')) : null,
      h('p', { class: 'answer-text' }, a.answer),
      h('p', { class: 'muted' }, a.id, ' · updated ', fmt.dateTime(a.updated_at)),
      ctx.admin ? h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'small', onclick: () => { editing = a; renderEditor(); } }, 'Edit'),
        h('button', { type: 'button', class: 'small', onclick: () => change(a, { enabled: !a.enabled }, a.enabled ? 'Disabled.' : 'Enabled.') }, a.enabled ? 'Disable' : 'Enable'),
        h('button', { type: 'button', class: 'small danger', onclick: () => remove(a) }, 'Delete')) : null))),
    pager(data.total, data.offset, data.limit, (offset) => ctx.nav('answers', { ...s, offset })));
  }

  async function change(a, fields, done) {
    try { await api.patch('/v1/answers/' + encodeURIComponent(a.id), fields); toast(done); load(); } catch (e) { toast(e.message); }
  }

  async function remove(a) {
    if (!confirm(`Delete the short answer “${a.question}”? The agent will no longer find it.`)) return;
    try { await api.del('/v1/answers/' + encodeURIComponent(a.id)); toast('Deleted.'); load(); } catch (e) { toast(e.message); }
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
        toast(a.id ? 'Saved.' : 'Created.');
        editing = null;
        renderEditor();
        load();
      } catch (err) {
        error.textContent = err.message + (err.field ? ` (${err.field})` : '');
      }
    } },
    h('h2', { id: 'edit-title' }, a.id ? 'Edit short answer' : 'New short answer'),
    field('Question', question), field('Other phrasings', alternatives, 'Optional, one a line.'),
    field('Answer', answer, 'Plain text; http(s) links become clickable.'), field('Language', language, 'Optional, e.g. en or nb.'),
    h('label', { class: 'check' }, enabled, ' Enabled: the agent may use it'),
    error,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, a.id ? 'Save' : 'Create'),
      h('button', { type: 'button', onclick: () => { editing = null; renderEditor(); } }, 'Cancel'))));
    question.focus();
  }

  // What the agent would do, in words: the answer's question and text, its
  // score against the account's bar; never an internal id.
  function verdict(data, reply) {
    const cands = data.candidates || [];
    const closest = cands[0];
    const label = (c) => (c.question ? `“${c.question}”` : 'an answer whose text could not be read');
    const versus = (c) => `score ${c.score.toFixed(2)}, the bar is ${data.threshold.toFixed(2)}`;
    if (data.match) {
      const best = cands.find((c) => c.id === data.match.id) || { question: null, score: data.match.score };
      return [h('p', { class: 'found' }, 'Would answer: ',
        h('strong', { dataset: { answer: data.match.id } }, label(best)), ` (${versus(best)}).`),
        reply ? h('div', { class: 'bubble answer-text' }, reply) : null];
    }
    if (!closest) return h('p', { class: 'none' }, 'Would hand off: there are no short answers to choose from.');
    return h('p', { class: 'none' }, 'Would hand off: the closest is ', h('strong', {}, label(closest)),
      ` but it is not close enough (${versus(closest)}). More phrasings like this question make it findable.`);
  }

  function candidateList(data) {
    const cands = data.candidates || [];
    if (cands.length < 2) return null;
    return [h('p', { class: 'muted' }, 'Closest answers:'),
      h('ol', { class: 'candidates' }, cands.map((c) =>
        h('li', {}, c.question || '(text unavailable)', h('span', { class: 'muted' }, ` · score ${c.score.toFixed(2)}`))))];
  }

  function tryIt() {
    const question = h('input', { type: 'text', name: 'try', required: true, placeholder: 'Ask as a visitor would' });
    const language = h('input', { type: 'text', name: 'try-language', size: 6, placeholder: 'any' });
    const result = h('div', { class: 'match', 'aria-live': 'polite' });
    return h('section', { class: 'panel', 'aria-labelledby': 'try-title' },
      h('h2', { id: 'try-title' }, 'Try it'),
      h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        mount(result, loading('the best answer'));
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
          mount(result, errorBlock('The match failed', err));
        }
      } }, field('Visitor question', question), field('Language', language), h('button', { type: 'submit' }, 'Find answer')),
      result);
  }

  load();
  return {
    leave: () => { stopped = true; },
    update: (next) => { s = answerState(next); load(); },
  };
}
