// The Knowledge gaps pages (SPEC §5): the topic table with sort, filters,
// paging and each topic's most asked questions, and a topic's detail with
// every question (identical ones as one row with a count, 100 rows a page),
// the team's replies, curation (rename, merge, move, dismiss by question or by
// conversation, and undo) and the short answer made from it (preview, create).
import * as api from './api.js';
import { h, mount, field, select, toast } from './dom.js';
import * as fmt from './format.js';
import { errorBlock, loading, statusBadge, pager } from './common.js';
// `t` names a topic throughout this file, so the message function is `tr`.
import { t as tr, intlLocale } from './i18n.js';

const LIMIT = 25;
const SHOW_FIRST_REPLIES = 4;

function gapState(params) {
  return {
    status: params.get('status') || 'active', sort: params.get('sort') || 'conversations',
    channel: params.get('channel') || '', from: params.get('from') || '', to: params.get('to') || '',
    offset: Number(params.get('offset')) || 0,
  };
}

export function gapsPage(root, params, ctx) {
  let s = gapState(params);
  let stopped = false;
  const controls = h('form', { class: 'controls', 'aria-label': tr('gaps.filters'), onsubmit: (e) => e.preventDefault() });
  const body = h('div', { 'aria-live': 'polite' });
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, tr('gaps.title')),
    h('p', { class: 'muted' }, tr('gaps.intro'))), controls, body);

  const go = (change) => ctx.nav('gaps', { ...s, ...change, status: (change.status ?? s.status) === 'active' ? '' : (change.status ?? s.status),
    sort: (change.sort ?? s.sort) === 'conversations' ? '' : (change.sort ?? s.sort), offset: change.offset || '' });

  function renderControls() {
    const focused = controls.contains(document.activeElement) ? document.activeElement.name : null;
    const known = [...channels].sort();
    if (s.channel && !channels.has(s.channel)) known.push(s.channel);
    const channel = select([['', tr('gaps.allChannels')], ...known.map((c) => [c, c])], s.channel,
      { name: 'channel', onchange: (e) => go({ channel: e.target.value }) });
    // As on the Reports page: lang for the browser, a hint in the page's language.
    const from = h('input', { type: 'date', name: 'from', value: s.from, lang: intlLocale() });
    const to = h('input', { type: 'date', name: 'to', value: s.to, lang: intlLocale() });
    const dayHint = (day) => (day ? tr('common.dateHint', { date: fmt.day(day) }) : null);
    const dates = () => { if ((from.value && to.value && to.value > from.value) || (!from.value && !to.value)) go({ from: from.value, to: to.value }); };
    from.addEventListener('change', dates);
    to.addEventListener('change', dates);
    mount(controls,
      field(tr('gaps.status'), select([['active', tr('gaps.active')], ['open', tr('status.open')], ['reopened', tr('status.reopened')], ['answered', tr('status.answered')], ['dismissed', tr('status.dismissed')], ['all', tr('gaps.all')]],
        s.status, { name: 'status', onchange: (e) => go({ status: e.target.value }) })),
      field(tr('gaps.sort'), select([['conversations', tr('gaps.mostConversations')], ['last', tr('gaps.latest')]], s.sort,
        { name: 'sort', onchange: (e) => go({ sort: e.target.value }) })),
      field(tr('gaps.channel'), channel),
      field(tr('gaps.askedFrom'), from, dayHint(s.from)),
      field(tr('gaps.askedBefore'), to, dayHint(s.to)));
    if (focused) controls.querySelector(`[name="${focused}"]`)?.focus();
  }

  async function load() {
    body.setAttribute('aria-busy', 'true');
    if (!body.firstChild) mount(body, loading(tr('gaps.loading')));
    try {
      const { data } = await api.get('/v1/gaps', { status: s.status === 'active' ? '' : s.status, sort: s.sort === 'conversations' ? '' : s.sort,
        channel: s.channel, from: s.from, to: s.from ? s.to : '', limit: LIMIT, offset: s.offset || '' });
      if (!stopped) render(data);
    } catch (e) {
      if (!stopped) mount(body, errorBlock(tr('gaps.failed'), e, load));
    }
    body.setAttribute('aria-busy', 'false');
  }

  async function dismiss(topic) {
    try {
      await api.post(`/v1/gaps/${topic.id}/dismiss`);
      toast(tr('gaps.dismissed', { label: topic.label }), [tr('gaps.undo'), async () => {
        try { await api.post(`/v1/gaps/${topic.id}/undismiss`); toast(tr('gaps.restored')); load(); } catch (e) { toast(tr('gaps.undoFailed', { message: e.message })); }
      }]);
      load();
    } catch (e) { toast(tr('gaps.dismissFailed', { message: e.message })); }
  }

  function render(data) {
    if (data.total === 0) {
      mount(body, h('p', { class: 'empty' }, s.status === 'active' && !s.channel && !s.from
        ? tr('gaps.none')
        : tr('gaps.noMatch')));
      return;
    }
    mount(body, h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': tr('gaps.scroll') }, h('table', { class: 'topics' },
      h('caption', { class: 'visually-hidden' }, tr('gaps.topics')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tr('gaps.topic')), h('th', { scope: 'col', class: 'num' }, tr('gaps.conversations')),
        h('th', { scope: 'col', class: 'num' }, tr('gaps.questions')), h('th', { scope: 'col' }, tr('gaps.last')), h('th', { scope: 'col' }, tr('gaps.status')),
        ctx.admin ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, tr('gaps.actions'))) : null)),
      h('tbody', {}, data.topics.map((t) => h('tr', { dataset: { topic: t.id } },
        h('th', { scope: 'row' }, h('a', { href: '#/gaps/' + t.id }, t.label), topQuestions(t)),
        h('td', { class: 'num', dataset: { field: 'conversations', label: tr('gaps.conversations') } }, fmt.count(t.conversations)),
        h('td', { class: 'num', dataset: { field: 'questions', label: tr('gaps.questions') } }, fmt.count(t.questions)),
        h('td', { dataset: { label: tr('gaps.last') } }, fmt.dateTime(t.last_at)),
        h('td', {}, statusBadge(t)),
        ctx.admin ? h('td', { class: 'row-actions' }, t.status === 'dismissed'
          ? h('button', { type: 'button', class: 'small', onclick: async () => { await api.post(`/v1/gaps/${t.id}/undismiss`).catch((e) => toast(e.message)); load(); } }, tr('gaps.restore'))
          : h('button', { type: 'button', class: 'small', 'aria-label': tr('gaps.dismissTopic', { label: t.label }), onclick: () => dismiss(t) }, tr('gaps.dismiss'))) : null))))),
    pager(data.total, data.offset, data.limit, (offset) => go({ offset })));
  }

  // The channels to offer: those with conversations in the reports' default range.
  let channels = new Set();
  api.get('/v1/reports/handled_by_channel').then(({ data }) => {
    channels = new Set(data.reports.handled_by_channel.map((r) => r.channel));
    if (!stopped) renderControls();
  }).catch(() => { /* the filter offers the chosen channel only */ });

  renderControls();
  load();
  return {
    leave: () => { stopped = true; },
    update: (next) => { s = gapState(next); renderControls(); load(); },
  };
}

// A topic's most asked questions with their counts, under its label.
function topQuestions(t) {
  const top = t.top_questions || [];
  if (top.length === 0) return null;
  return h('ol', { class: 'top-questions', 'aria-label': tr('gaps.mostAsked') }, top.map((q) =>
    h('li', {}, h('span', { class: 'times' }, `${fmt.count(q.count)} ×`), ' ', q.text)));
}

const QUESTION_ROWS = 100;

export function topicPage(root, id, params, ctx) {
  let stopped = false;
  let doc = null;
  // alternatives and language stay null until the topic's draft (its questions
  // and their language, from the preview call) has filled them.
  const draft = { question: null, answer: '', alternatives: null, language: null };
  const showAll = { replies: false };
  // The page of distinct questions shown, and the rows ticked on it (by
  // their newest question's id).
  let rows = null;
  let rowsOffset = 0;
  const ticked = new Set();
  mount(root, loading(tr('topic.loading')));

  async function load() {
    try {
      const path = '/v1/gaps/' + encodeURIComponent(id);
      const [detail, page] = await Promise.all([api.get(path),
        api.get(path + '/questions', { limit: QUESTION_ROWS, offset: rowsOffset || '' })]);
      if (stopped) return;
      doc = detail.data;
      rows = page.data;
      for (const key of [...ticked]) if (!rows.groups.some((g) => String(g.questions[0].id) === key)) ticked.delete(key);
      render();
    } catch (e) {
      if (stopped) return;
      mount(root, h('p', {}, h('a', { href: '#/gaps' }, tr('topic.all'))),
        e.status === 404 && e.field !== 'path'
          ? errorBlock(tr('topic.gone'), e)
          : errorBlock(tr('topic.failed'), e, load));
    }
  }

  // Runs an admin action and shows the topic it answers with.
  async function act(call, done, undo) {
    try {
      const { data } = await call();
      if (data && data.topic && String(data.topic.id) !== String(id)) {
        ctx.nav('gaps/' + data.topic.id, {});
      } else {
        await load();
      }
      if (done) toast(done, undo ? [tr('gaps.undo'), async () => { try { await undo(); await load(); toast(tr('topic.undone')); } catch (e) { toast(tr('gaps.undoFailed', { message: e.message })); } }] : null);
    } catch (e) {
      toast(e.message);
    }
  }

  function render() {
    const t = doc.topic;
    if (draft.question === null) draft.question = t.label;
    document.title = t.label + ' · agentperf';
    mount(root,
      h('p', {}, h('a', { href: '#/gaps' }, tr('topic.all'))),
      h('div', { class: 'page-head' }, h('h1', { id: 'topic-label' }, t.label), statusBadge(t)),
      h('p', { class: 'muted' }, tr('topic.summary', { conversations: tr('topic.nConversations', { n: t.conversations }),
        questions: tr('topic.nQuestions', { n: t.questions }), last: fmt.dateTime(t.last_at), id: t.id }),
      t.answer_id ? [tr('topic.answeredBy'), h('a', { href: '#/answers?q=' + encodeURIComponent(t.answer_id) }, tr('topic.shortAnswer', { id: t.answer_id })),
        t.answered_at ? tr('topic.answeredOn', { date: fmt.date(t.answered_at) }) : ''] : null),
      ctx.admin ? null : h('p', { class: 'note' }, tr('topic.viewer')),
      // The questions on the left, the work on them on the right (stacked on a phone,
      // the answer first).
      h('div', { class: 'topic-layout' },
        h('div', { class: 'topic-side' }, t.answer_id ? answeredWith(t) : null, ctx.admin ? answerFormFor(t) : null, teamReplies(), ctx.admin ? curation(t) : null),
        h('div', { class: 'topic-main' }, questions())));
  }

  // An answered topic shows its answer; writing another is one click away.
  function answerFormFor(t) {
    if (!t.answer_id) return answerForm(t);
    return h('details', { class: 'answer-again' }, h('summary', {}, tr('topic.writeAnother')), answerForm(t));
  }

  // The short answer the topic was answered with, as the visitor gets it.
  function answeredWith(t) {
    const body = h('div', {}, loading(tr('topic.loadingAnswer')));
    (async () => {
      try {
        const { data: a } = await api.get('/v1/answers/' + encodeURIComponent(t.answer_id));
        const phrasings = 1 + (a.alternatives || []).length;
        mount(body, h('p', { class: 'visitor' }, h('strong', {}, tr('topic.visitor')), a.question),
          h('div', { class: 'bubble answer-text' }, a.answer),
          h('p', { class: 'muted' }, tr('topic.phrasings', { n: phrasings }) + tr('topic.language', { language: a.language }) + (a.enabled ? '' : tr('topic.disabled')) + ' · ',
            h('a', { href: '#/answers?q=' + encodeURIComponent(t.answer_id) }, tr('topic.editAnswer'))));
      } catch (e) {
        mount(body, h('p', { class: 'muted' }, e.status === 404 ? tr('topic.answerDeleted') : tr('topic.answerFailed', { message: e.message })));
      }
    })();
    return h('section', { class: 'panel', 'aria-labelledby': 'answered-title' },
      h('h2', { id: 'answered-title' }, tr('topic.answeredWith')), body);
  }

  function curation(t) {
    const label = h('input', { type: 'text', name: 'label', value: t.label, maxlength: 200, required: true });
    const into = h('input', { type: 'number', name: 'into', min: 1, required: true, inputmode: 'numeric' });
    return h('section', { class: 'panel', 'aria-labelledby': 'curate-title' },
      h('h2', { id: 'curate-title' }, tr('topic.curate')),
      h('div', { class: 'row' },
        h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); act(() => api.post(`/v1/gaps/${id}/rename`, { label: label.value.trim() }), tr('topic.renamed')); } },
          field(tr('topic.label'), label), h('button', { type: 'submit' }, tr('topic.rename'))),
        h('form', { class: 'inline', onsubmit: (e) => {
          e.preventDefault();
          if (String(into.value) === String(id)) { toast(tr('topic.notIntoItself')); return; }
          if (confirm(tr('topic.confirmMerge', { into: into.value }))) {
            act(() => api.post(`/v1/gaps/${id}/merge`, { into: Number(into.value) }), tr('topic.merged'));
          }
        } }, field(tr('topic.mergeInto'), into), h('button', { type: 'submit' }, tr('topic.merge'))),
        t.status === 'dismissed'
          ? h('button', { type: 'button', onclick: () => act(() => api.post(`/v1/gaps/${id}/undismiss`), tr('topic.restored')) }, tr('topic.restore'))
          : h('button', { type: 'button', class: 'danger', onclick: () => act(() => api.post(`/v1/gaps/${id}/dismiss`), tr('topic.dismissed'), () => api.post(`/v1/gaps/${id}/undismiss`)) }, tr('topic.dismiss'))));
  }

  function answerForm(t) {
    const question = h('textarea', { name: 'question', rows: 2, maxlength: 1000, required: true }, draft.question);
    const alternatives = h('textarea', { name: 'alternatives', rows: 4 }, draft.alternatives || '');
    const answer = h('textarea', { name: 'answer', rows: 5, maxlength: 8000, required: true, id: 'answer-text' }, draft.answer);
    const language = h('input', { type: 'text', name: 'language', value: draft.language || '', size: 6, pattern: '[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*', placeholder: 'en' });
    const preview = h('div', { class: 'preview', 'aria-live': 'polite' }, h('p', { class: 'muted' }, tr('topic.previewHint')));
    // Each field keeps its own draft, so that typing the answer before the
    // topic's phrasings arrive does not stop them from filling in.
    for (const el of [question, alternatives, answer, language]) el.addEventListener('input', () => { draft[el.name] = el.value; });
    // The phrasings are always sent, an empty list too: the server would
    // otherwise fill in the topic's questions the admin removed.
    const body = () => {
      const b = { question: question.value.trim(), answer: answer.value.trim() };
      b.alternatives = alternatives.value.split('\n').map((x) => x.trim()).filter(Boolean);
      if (language.value.trim()) b.language = language.value.trim();
      return b;
    };
    // The topic's undismissed questions become the other phrasings, and their
    // language the answer's, unless the admin already wrote them.
    const fillFromTopic = async () => {
      try {
        const { data } = await api.post(`/v1/gaps/${id}/answer/preview`, {});
        if (draft.alternatives === null) {
          draft.alternatives = data.alternatives.join('\n');
          alternatives.value = draft.alternatives;
        }
        if (draft.language === null) {
          draft.language = data.language;
          language.value = draft.language;
        }
      } catch (e) {
        draft.alternatives = draft.alternatives || '';
      }
    };
    if (draft.alternatives === null || draft.language === null) fillFromTopic();
    const doPreview = async () => {
      try {
        const { data } = await api.post(`/v1/gaps/${id}/answer/preview`, { question: question.value.trim(), answer: answer.value.trim() });
        const bubble = h('div', { class: 'bubble' });
        // The server escaped the text and made only http(s) links clickable (docs/api.md).
        bubble.innerHTML = data.html;
        for (const a of bubble.querySelectorAll('a')) { a.target = '_blank'; a.rel = 'noopener noreferrer'; }
        mount(preview, h('p', { class: 'visitor' }, h('strong', {}, tr('topic.visitor')), data.question), bubble);
      } catch (e) {
        mount(preview, h('p', { class: 'error', role: 'alert' }, tr('topic.previewFailed', { message: e.message })));
      }
    };
    const create = async (e) => {
      e.preventDefault();
      try {
        const { data } = await api.post(`/v1/gaps/${id}/answer`, body());
        draft.answer = '';
        draft.alternatives = null;
        draft.language = null;
        toast(tr('topic.created', { id: data.answer.id }));
        await load();
      } catch (err) {
        mount(preview, h('p', { class: 'error', role: 'alert' }, tr('topic.notCreated', { message: err.message })));
      }
    };
    return h('section', { class: 'panel', 'aria-labelledby': 'answer-title' },
      h('h2', { id: 'answer-title' }, t.answer_id ? tr('topic.answerAgain') : tr('topic.createAnswer')),
      h('form', { class: 'answer-form', onsubmit: create },
        field(tr('topic.question'), question, tr('topic.questionHint')),
        field(tr('topic.alternatives'), alternatives, tr('topic.alternativesHint')),
        field(tr('topic.answer'), answer, tr('topic.answerHint')),
        field(tr('topic.languageLabel'), language, tr('topic.languageHint')),
        h('div', { class: 'buttons' },
          h('button', { type: 'button', onclick: doPreview }, tr('topic.preview')),
          h('button', { type: 'submit', class: 'primary' }, tr('topic.create')))),
      h('h3', {}, tr('topic.previewHeading')), preview);
  }

  // The same reply text sent in many conversations is shown once, with a count.
  function distinctReplies(replies) {
    const byText = new Map();
    for (const r of replies) {
      const seen = byText.get(r.text);
      if (seen) seen.times += 1;
      else byText.set(r.text, { ...r, times: 1 });
    }
    return [...byText.values()].sort((a, b) => b.times - a.times || (a.at < b.at ? 1 : -1));
  }

  function teamReplies() {
    const replies = distinctReplies(doc.team_replies || []);
    const shown = showAll.replies ? replies : replies.slice(0, SHOW_FIRST_REPLIES);
    return h('section', { class: 'panel', 'aria-labelledby': 'replies-title' },
      h('h2', { id: 'replies-title' }, tr('topic.replies')),
      replies.length === 0 ? h('p', { class: 'empty' }, tr('topic.noReplies')) :
        h('ul', { class: 'replies' }, shown.map((r) => h('li', {},
          h('p', { class: 'muted' }, (r.member_name || r.member_id), ' · ', fmt.dateTime(r.at), tr('topic.conversationN'), r.conversation_id,
            r.times > 1 ? tr('topic.sentIn', { n: r.times }) : ''),
          h('blockquote', {}, r.text),
          ctx.admin ? h('button', { type: 'button', class: 'small', onclick: () => {
            draft.answer = r.text;
            render();
            const el = document.getElementById('answer-text');
            el.focus();
          } }, tr('topic.useAsDraft')) : null))),
      more(replies.length, shown.length, 'replies'));
  }

  function more(total, shown, key) {
    if (shown >= total) return null;
    return h('button', { type: 'button', class: 'link', onclick: () => { showAll[key] = true; render(); } },
      tr('topic.allReplies', { n: total }));
  }

  // Tickets are known for the questions of the detail document (its first page).
  function ticketOf(member) {
    return (doc.questions || []).find((q) => q.id === member.id) || null;
  }

  function conversationLink(m) {
    return m.conversation_url
      ? h('a', { href: m.conversation_url, target: '_blank', rel: 'noopener noreferrer', title: tr('topic.conversationTitle', { id: m.conversation_id }) }, m.conversation_id)
      : m.conversation_id;
  }

  // A row's conversations: each one's link (the first few, the rest folded).
  function conversations(g) {
    const ids = [];
    const seen = new Set();
    for (const m of g.questions) if (!seen.has(m.conversation_id)) { seen.add(m.conversation_id); ids.push(m); }
    const t = g.questions.length === 1 ? ticketOf(g.questions[0]) : null;
    const first = ids.slice(0, 3).map((m) => h('div', {}, conversationLink(m)));
    return [first,
      ids.length > 3 ? h('details', { class: 'more-conversations' }, h('summary', {}, tr('topic.allConversations', { n: ids.length })),
        ids.slice(3).map((m) => h('div', {}, conversationLink(m)))) : null,
      t && t.ticket_id ? h('div', {}, tr('topic.ticket'), t.ticket_url ? h('a', { href: t.ticket_url, target: '_blank', rel: 'noopener noreferrer' }, t.ticket_id) : t.ticket_id) : null];
  }

  // The conversations of the ticked rows that still have questions in the topic.
  function tickedConversations() {
    const out = new Set();
    for (const g of rows.groups) {
      if (!ticked.has(String(g.questions[0].id))) continue;
      for (const m of g.questions) if (!m.dismissed) out.add(m.conversation_id);
    }
    return [...out];
  }

  async function dismissTicked() {
    const conversationIds = tickedConversations();
    if (conversationIds.length === 0) return;
    try {
      const { data } = await api.post(`/v1/gaps/${id}/dismiss-conversations`, { conversations: conversationIds });
      ticked.clear();
      await load();
      const n = data.dismissed.length;
      toast(tr('topic.dismissedQuestions', { questions: tr('topic.nQuestions', { n }), conversations: tr('topic.nConversations', { n: conversationIds.length }) }),
        n ? [tr('gaps.undo'), async () => {
          try { await api.post(`/v1/gaps/${id}/undismiss-questions`, { questions: data.dismissed }); await load(); toast(tr('topic.questionsBack')); } catch (e) { toast(tr('gaps.undoFailed', { message: e.message })); }
        }] : null);
    } catch (e) { toast(tr('gaps.dismissFailed', { message: e.message })); }
  }

  function selectionBar() {
    const selectable = rows.groups.filter((g) => g.count > 0);
    const all = selectable.length > 0 && selectable.every((g) => ticked.has(String(g.questions[0].id)));
    const n = tickedConversations().length;
    return h('div', { class: 'selection-bar' },
      h('label', {}, h('input', { type: 'checkbox', name: 'select-all', checked: all, disabled: selectable.length === 0, onchange: (e) => {
        for (const g of selectable) { if (e.target.checked) ticked.add(String(g.questions[0].id)); else ticked.delete(String(g.questions[0].id)); }
        render();
      } }), tr('topic.selectAll')),
      h('button', { type: 'button', class: 'danger small', disabled: n === 0, onclick: dismissTicked },
        n ? tr('topic.dismissConversationsN', { n }) : tr('topic.dismissConversations')));
  }

  function questionRow(g) {
    const newest = g.questions[0];
    const key = String(newest.id);
    const single = g.questions.length === 1;
    return h('tr', { class: g.count === 0 ? 'dismissed' : null, dataset: { question: newest.id, questions: g.questions.map((m) => m.id).join(' '), count: g.count } },
      ctx.admin ? h('td', { class: 'tick' }, h('input', { type: 'checkbox', checked: ticked.has(key), disabled: g.count === 0,
        'aria-label': tr('topic.select', { text: g.text }), onchange: (e) => { if (e.target.checked) ticked.add(key); else ticked.delete(key); render(); } })) : null,
      h('td', {}, g.text,
        g.questions.length > 1 ? h('span', { class: 'badge times', title: tr('topic.askedThisWay') }, `${fmt.count(g.count)} ×`) : null,
        g.count === 0 ? h('span', { class: 'badge dismissed' }, tr('status.dismissed')) : g.dismissed ? h('span', { class: 'muted' }, tr('topic.nDismissed', { n: g.dismissed })) : null),
      h('td', { class: 'nowrap' }, h('time', { datetime: newest.at, title: fmt.dateTime(newest.at) }, fmt.shortDateTime(newest.at)),
        h('div', { class: 'muted' }, newest.channel || '')),
      h('td', { class: 'links' }, conversations(g)),
      ctx.admin ? h('td', {}, single ? h('div', { class: 'actions' }, questionActions(newest)) : null) : null);
  }

  function questions() {
    const groups = rows.groups;
    return h('section', { class: 'panel', 'aria-labelledby': 'questions-title' },
      h('h2', { id: 'questions-title' }, tr('topic.questions')),
      h('p', { class: 'muted' }, tr('topic.distinct', { questions: tr('topic.nQuestions', { n: rows.questions }), n: rows.total })),
      ctx.admin && groups.length ? selectionBar() : null,
      groups.length === 0 ? h('p', { class: 'empty' }, tr('topic.noQuestions')) :
        h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': tr('topic.questionsScroll') }, h('table', { class: 'questions' },
          h('thead', {}, h('tr', {}, ctx.admin ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, tr('topic.selectCol'))) : null,
            h('th', { scope: 'col' }, tr('topic.question')), h('th', { scope: 'col' }, tr('topic.asked')),
            h('th', { scope: 'col' }, tr('topic.conversations')), ctx.admin ? h('th', { scope: 'col' }, tr('topic.actions')) : null)),
          h('tbody', {}, groups.map(questionRow)))),
      pager(rows.total, rows.offset, rows.limit, (offset) => { rowsOffset = offset; ticked.clear(); load(); }));
  }

  function questionActions(q) {
    const target = h('input', { type: 'number', min: 1, name: 'topic', 'aria-label': tr('topic.moveTo'), placeholder: tr('topic.topicNo'), class: 'narrow' });
    return [
      q.dismissed
        ? h('button', { type: 'button', class: 'small', onclick: () => act(() => api.post(`/v1/gaps/questions/${q.id}/undismiss`), tr('topic.questionRestored')) }, tr('gaps.restore'))
        : h('button', { type: 'button', class: 'small', onclick: () => act(() => api.post(`/v1/gaps/questions/${q.id}/dismiss`), tr('topic.questionDismissed'), () => api.post(`/v1/gaps/questions/${q.id}/undismiss`)) }, tr('gaps.dismiss')),
      h('details', { class: 'move' }, h('summary', {}, tr('topic.move')),
        h('form', { class: 'inline', onsubmit: (e) => {
          e.preventDefault();
          if (!target.value) return;
          act(() => api.post(`/v1/gaps/questions/${q.id}/move`, { topic: Number(target.value) }).then((r) => ({ data: null, moved: r })), tr('topic.moved', { topic: target.value }));
        } }, target, h('button', { type: 'submit', class: 'small' }, tr('topic.move')))),
    ];
  }

  load();
  return { leave: () => { stopped = true; } };
}
