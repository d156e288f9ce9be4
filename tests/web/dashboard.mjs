// Browser tests of the dashboard: `node dashboard.mjs SCENARIO [LANGUAGE]` runs
// one scenario in Debian's chromium against a running server, with the
// dashboard in English (en, the default) or Norwegian bokmål (nb).
//   env AP_BASE (http://127.0.0.1:PORT), AP_ADMIN, AP_VIEWER, AP_INGEST (tokens), AP_NOW (RFC 3339)
// Exit 0: passed; 77: skipped (the reason on stdout); anything else: failed.
// tests/web/test_dashboard.py starts the server and runs every scenario.
import { readFileSync } from 'node:fs';
import { launch, launchFirefox, signedIn, requireWeb } from './browser.mjs';

const BASE = process.env.AP_BASE;
const ADMIN = process.env.AP_ADMIN;
const VIEWER = process.env.AP_VIEWER;
const INGEST = process.env.AP_INGEST;
const NOW = process.env.AP_NOW;
const LAB_ADMIN = process.env.AP_LAB_ADMIN;
const LAB_INGEST = process.env.AP_LAB_INGEST;
const SKIP = 77;
const TIMEOUT = 10000;
const LANG = process.argv[3] || 'en';
// The browser language that makes the dashboard pick LANG by itself.
const BROWSER_LOCALE = { en: 'en-GB', nb: 'nb-NO' };

class Skip extends Error {}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function api(method, path, token, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, data: text && res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

async function report(params) {
  const q = new URLSearchParams({ now: NOW, ...params });
  const res = await api('GET', '/v1/reports?' + q, VIEWER);
  check(res.status === 200, 'GET /v1/reports: ' + res.status);
  return res.data;
}

// Skips the scenario when the server has no such endpoint (404 on the path).
async function requireEndpoint(method, path, token, body) {
  const res = await api(method, path, token, body);
  if (res.status === 404 && res.data?.error?.field === 'path') throw new Skip(`${method} ${path} is not on this server yet (404)`);
  return res;
}

/* --- the figures shown against the API's ------------------------------------ */

// Independent of the page's own formatting code: what a reader must see, in
// each language. Written out by hand (not with Intl) so that a wrong locale on
// the page cannot agree with itself: English groups thousands with a comma and
// writes "53.7%"; Norwegian groups with a no-break space and writes "53,7 %".
const NBSP = '\u00a0';
const STYLE = {
  en: { group: ',', decimal: '.', percent: '%', hour: 'h', provisional: 'provisional', partial: 'partial' },
  nb: { group: NBSP, decimal: ',', percent: NBSP + '%', hour: 't', provisional: 'foreløpig', partial: 'ufullstendig' },
};
function expectTextIn(lang) {
  const st = STYLE[lang];
  return {
    count: (v) => (v === null ? '–' : String(v).replace(/\B(?=(\d{3})+(?!\d))/g, st.group)),
    percent: (v) => (v === null ? '–' : (v * 100).toFixed(1).replace('.', st.decimal) + st.percent),
    duration: (v) => {
      if (v === null) return '–';
      const s = Math.round(v);
      if (s < 60) return s + ' s';
      if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
      if (s < 86400) return `${Math.floor(s / 3600)} ${st.hour} ${Math.floor((s % 3600) / 60)} min`;
      return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} ${st.hour}`;
    },
  };
}
const kindOf = (field) => (/rate|share/.test(field) ? 'percent' : /seconds/.test(field) ? 'duration' : 'count');

// Every figure of the document, each with the selector of the element that must show it.
function figures(doc, lang) {
  const expectText = expectTextIn(lang);
  const out = [];
  const r = doc.reports;
  for (const week of ['this_week', 'previous_week', 'week_before']) {
    for (const f of ['resolved', 'handled', 'avg_resolution_seconds', 'deflection_rate', 'helpful_share']) {
      out.push([`[data-report="impact"] [data-week="${week}"][data-field="${f}"]`, r.impact[week][f], f]);
    }
  }
  const series = {
    handled_over_time: ['count'], resolved_over_time: ['count'], deflections_over_time: ['count'], handoffs_over_time: ['count'],
    handling_rate_over_time: ['rate'], resolution_rate_over_time: ['rate'], deflection_rate_over_time: ['rate'], handoff_rate_over_time: ['rate'],
    feedback_trend: ['helpful', 'not_helpful'], questions_over_time: ['asked', 'unanswered'],
  };
  for (const [name, fields] of Object.entries(series)) {
    for (const row of r[name]) {
      for (const f of fields) out.push([`[data-report="${name}"] tr[data-bucket="${row.bucket}"] td[data-field="${f}"]`, row[f], f]);
    }
  }
  for (const row of r.handled_by_channel) out.push([`[data-report="handled_by_channel"] tr[data-key="${row.channel}"] [data-field="count"]`, row.count, 'count']);
  for (const row of r.team) out.push([`[data-report="team"] tr[data-key="${row.resolver}"] [data-field="resolved"]`, row.resolved, 'resolved']);
  for (const row of r.handoffs_by_assignee) {
    for (const f of ['handoffs', 'converted', 'conversion_rate', 'avg_close_seconds', 'avg_first_reply_seconds']) {
      out.push([`[data-report="handoffs_by_assignee"] tr[data-key="${row.assignee ?? ''}"] [data-field="${f}"]`, row[f], f]);
    }
  }
  for (const row of r.by_language) {
    for (const f of ['conversations', 'handled', 'resolution_rate', 'deflection_rate', 'handoff_rate']) {
      out.push([`[data-report="by_language"] tr[data-key="${row.language}"] [data-field="${f}"]`, row[f], f]);
    }
  }
  for (const row of r.handoffs_by_reason) {
    for (const f of ['handoffs', 'converted', 'conversion_rate', 'avg_close_seconds']) {
      out.push([`[data-report="handoffs_by_reason"] tr[data-key="${row.reason}"] [data-field="${f}"]`, row[f], f]);
    }
  }
  for (const f of ['rate', 'numerator', 'denominator']) out.push([`[data-report="resolution_rate"] [data-field="${f}"]`, r.resolution_rate[f], f === 'rate' ? f : 'count']);
  for (const f of ['handoffs', 'converted', 'conversion_rate', 'avg_close_seconds', 'avg_first_reply_seconds']) out.push([`[data-report="handoff_outcomes"] [data-field="${f}"]`, r.handoff_outcomes[f], f]);
  return out.map(([selector, value, field]) => ({ selector, value, text: expectText[kindOf(field)](value) }));
}

// Compares every figure; also the number of rows, so the page shows no extra bucket.
async function comparePage(page, doc, lang) {
  const expected = figures(doc, lang);
  const badges = { provisional: STYLE[lang].provisional, partial: STYLE[lang].partial };
  const problems = await page.evaluate(({ expected, rows, flags, badges }) => {
    const bad = [];
    for (const e of expected) {
      const el = document.querySelector(e.selector);
      if (!el) { bad.push('missing ' + e.selector); continue; }
      const value = el.dataset.value === 'null' ? null : Number(el.dataset.value);
      if (value !== e.value && !(value !== null && e.value !== null && Math.abs(value - e.value) < 1e-9)) bad.push(`${e.selector}: value ${el.dataset.value}, API ${e.value}`);
      if (el.textContent.trim() !== e.text) bad.push(`${e.selector}: shows "${el.textContent.trim()}", expected "${e.text}"`);
    }
    for (const [name, n] of Object.entries(rows)) {
      const shown = document.querySelectorAll(`[data-report="${name}"] table:not(.u-legend) tbody tr`).length;
      if (shown !== n) bad.push(`${name}: ${shown} rows shown, API has ${n}`);
    }
    // Provisional and partial buckets are marked as the API says (SPEC §4.1).
    for (const f of flags) {
      const tr = document.querySelector(`[data-report="${f.name}"] tr[data-bucket="${f.bucket}"]`);
      if (!tr) continue;
      for (const key of ['provisional', 'partial']) {
        if (tr.dataset[key] !== String(f[key])) bad.push(`${f.name} ${f.bucket}: ${key} ${tr.dataset[key]}, API ${f[key]}`);
        const badge = [...tr.querySelectorAll('th .badge')].some((b) => b.textContent === badges[key]);
        if (badge !== f[key]) bad.push(`${f.name} ${f.bucket}: ${key} badge ${badge ? 'shown' : 'missing'}`);
      }
    }
    return bad;
  }, { expected, badges, rows: Object.fromEntries(Object.entries(doc.reports).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, v.length])),
    flags: Object.entries(doc.reports).filter(([k, v]) => Array.isArray(v) && v.length && 'bucket' in v[0])
      .flatMap(([name, v]) => v.map((row) => ({ name, bucket: row.bucket, provisional: row.provisional, partial: row.partial }))) });
  check(problems.length === 0, `${problems.length} figures differ from the API (of ${expected.length}):\n  ` + problems.slice(0, 15).join('\n  '));
  return expected.length;
}

// Waits until the page shows the document the API gives for params, in lang.
async function waitForReports(page, params, lang = LANG) {
  const doc = await report(params);
  let last = null;
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    try {
      await page.waitForSelector('.reports[aria-busy="false"] [data-report="team"]', { timeout: TIMEOUT });
      return { doc, n: await comparePage(page, doc, lang) };
    } catch (e) {
      last = e;
      if (Date.now() > deadline) throw last;
      await page.waitForTimeout(100);
    }
  }
}

/* --- the Norwegian pages ------------------------------------------------------ */

// English words of the dashboard's own text that a Norwegian page must not
// show. The data (topic labels, questions, answers, channel and member names,
// uncommon handoff reasons) is the account's and stays as it is: the check
// leaves out table bodies and the answers list, where the data is.
const ENGLISH = ['Reports', 'Knowledge gaps', 'Short answers', 'Sign out', 'Skip to content', 'Language', 'Impact',
  'Figures', 'Handled', 'Resolved', 'Resolution', 'Deflection', 'Deflections', 'Handoffs?', 'Helpful', 'Week before',
  'week before', 'This week', 'provisional', 'partial', 'Loading', 'Loaded', 'Updated', 'Granularity', 'Channel',
  'All channels', 'all channels', 'weeks', 'Period', 'Average', 'Converted', 'Conversion', 'Share', 'Reason', 'Resolver',
  'times in', 'per week', 'Customer agent', 'No comparison', 'From', 'Through', 'Volume', 'Feedback', 'Team and',
  'Topic', 'Questions', 'Sort by', 'Dismiss', 'Search', 'Try it', 'Showing', 'Next', 'Previous', 'Conversations',
  'Started', 'Ratings', 'Export', 'Show more', 'shown', 'handed off', 'missing knowledge', 'customer request', 'unspecified'];

async function noEnglish(page, where) {
  const text = await page.evaluate(() => {
    const skip = 'tbody, ul.answers, script, style, option';
    // Each text node on its own line, so that words of neighbouring elements
    // never run together (and hide from the word match). Folded content
    // (closed details) counts: it is the page's text all the same.
    const lines = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.closest(skip)) lines.push(node.data);
    }
    // The options of the selects, but the language switch's (each names its language in itself).
    for (const o of document.querySelectorAll('option')) if (!o.closest('.language')) lines.push(o.textContent);
    // Accessible names and hints count too: a screen reader reads them out.
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (el.closest('tbody, ul.answers')) continue;
      lines.push(...['aria-label', 'title', 'placeholder'].map((a) => el.getAttribute(a)).filter(Boolean));
    }
    return lines.join('\n');
  });
  const found = ENGLISH.filter((w) => new RegExp(`\\b${w}\\b`).test(text));
  check(found.length === 0, `${where} in Norwegian shows English: ${found.join(', ')}`);
}

// Every message the dashboard has is in both languages, with the same
// parameters and plural forms, and every key the code names exists.
async function checkCatalogue() {
  const i18n = await import(new URL('../../web/src/i18n.js', import.meta.url));
  const { readdirSync, readFileSync: read } = await import('node:fs');
  const en = i18n.messages('en');
  const nb = i18n.messages('nb');
  const params = (m) => JSON.stringify(Object.entries(typeof m === 'object' ? m : { other: m })
    .map(([form, text]) => [form, (text.match(/\{\w+\}/g) || []).sort()]).sort());
  const bad = [];
  for (const key of new Set([...Object.keys(en), ...Object.keys(nb)])) {
    if (!(key in en) || !(key in nb)) bad.push('only in one language: ' + key);
    else if (params(en[key]) !== params(nb[key])) bad.push('parameters or plural forms differ: ' + key);
  }
  const src = new URL('../../web/src/', import.meta.url);
  for (const file of readdirSync(src).filter((f) => f.endsWith('.js'))) {
    for (const [, key] of read(new URL(file, src), 'utf8').matchAll(/\btr?\('([\w.]+)'\s*[,)]/g)) {
      if (!(key in en)) bad.push(`${file} uses a key no language has: ${key}`);
    }
  }
  check(bad.length === 0, 'message catalogue:\n  ' + bad.join('\n  '));
  // The browser's language: Norwegian in any form reads bokmål, the first known one wins.
  for (const [langs, want] of [[['nb-NO'], 'nb'], [['no'], 'nb'], [['nn-NO', 'en'], 'nb'], [['de-DE', 'nb'], 'nb'],
    [['en-US', 'nb'], 'en'], [['de-DE'], 'en'], [[], 'en']]) {
    check(i18n.fromBrowser(langs) === want, `navigator.languages ${JSON.stringify(langs)} should pick ${want}`);
  }
}

/* --- scenarios ---------------------------------------------------------------- */

const scenarios = {
  // In LANG, chosen by the browser's language: every figure as the API has it,
  // written as LANG writes numbers. In Norwegian also: no English left on the
  // pages, and the header's switch turns the page English and is remembered.
  async reports(browser) {
    if (LANG === 'nb') await checkCatalogue();
    const page = await signedIn(browser, BASE, VIEWER, { hash: '#/reports?now=' + encodeURIComponent(NOW), locale: BROWSER_LOCALE[LANG] });
    const { n } = await waitForReports(page, {});
    check(await page.evaluate(() => document.documentElement.lang) === LANG, '<html lang> is ' + LANG);
    const charts = await page.locator('.chart canvas').count();
    check(charts >= 10, `expected a canvas for each of the 10 time series, found ${charts}`);
    // Rates carry numerator / denominator on hover.
    const title = await page.locator('[data-report="resolution_rate"] .big').getAttribute('title');
    check(new RegExp(`^[\\d${STYLE[LANG].group}]+ \\/ [\\d${STYLE[LANG].group}]+$`).test(title), 'resolution rate hover text: ' + title);
    // Every report has its CSV button, and a CSV download is the report's CSV.
    check(await page.locator('button.csv').count() === 18, 'expected 18 CSV buttons');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-report="team"] button.csv').click()]);
    check(download.suggestedFilename() === 'team.csv', 'csv file name ' + download.suggestedFilename());
    const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
    check(csv.split('\n')[0].startsWith('resolver'), 'team.csv header: ' + csv.split('\n')[0]);
    // Impact compares the last two complete weeks; the current week stands apart.
    check(await page.locator('[data-report="impact"] [data-comparison="previous_week/week_before"]').count() === 1,
      'impact compares previous_week with week_before');
    const changes = await page.locator('[data-report="impact"] .change').allTextContents();
    const changeText = { en: /week before|No comparison/, nb: /uken før|Ingen sammenligning/ }[LANG];
    check(changes.every((t) => changeText.test(t)), 'impact change texts: ' + changes.join(' | '));
    const { doc } = await waitForReports(page, {});
    const open = doc.reports.handled_over_time.filter((row) => row.provisional).length;
    check(open > 0 && doc.reports.handled_over_time.some((row) => row.partial), 'the demo data has provisional and partial buckets to show');
    check(await page.locator('[data-report="handled_over_time"] .bucket-note .provisional').count() === 1, 'the chart note explains provisional buckets');
    let more = '';
    if (LANG === 'nb') {
      await noEnglish(page, 'reports');
      // The dates of the range controls are spelled out in Norwegian.
      check(/^Valgt: \d{1,2}\. [a-zæøå]+\.? \d{4}$/.test(await page.locator('#' + await page.locator('input[name="from"]').getAttribute('aria-describedby')).innerText()),
        'the From control names its day in Norwegian');
      for (const [hash, ready] of [['#/gaps', 'table.topics, .empty'], ['#/answers', 'ul.answers, .empty'],
        ['#/conversations?metric=handed_off&now=' + encodeURIComponent(NOW), '.conversations[aria-busy="false"] tbody tr']]) {
        await page.evaluate((h) => { location.hash = h; }, hash);
        await page.waitForSelector(ready, { timeout: TIMEOUT });
        await noEnglish(page, hash);
      }
      // The switch turns every page English at once, and the choice outlives a reload.
      await page.evaluate((h) => { location.hash = h; }, '#/reports?now=' + encodeURIComponent(NOW));
      await waitForReports(page, {}, 'nb');
      await page.locator('header [name="language"]').selectOption('en');
      await page.locator('header nav a[data-page="reports"]', { hasText: 'Reports' }).waitFor({ timeout: TIMEOUT });
      await waitForReports(page, {}, 'en');
      check(await page.evaluate(() => document.documentElement.lang) === 'en', '<html lang> follows the switch');
      check(await page.evaluate(() => document.activeElement.name) === 'language', 'the focus stays on the switch');
      await page.reload();
      await waitForReports(page, {}, 'en');
      more = '; no English on four pages in Norwegian; the switch turns them English and is remembered';
    }
    check(page.errors.length === 0, 'page errors: ' + page.errors.join('; '));
    return `${n} figures equal the API's in ${LANG}; ${open} provisional buckets marked` + more;
  },

  // A figure opens the conversations behind it: as many rows as the figure,
  // each one the API lists, and an export of the same list.
  async drilldown(browser) {
    const page = await signedIn(browser, BASE, VIEWER, { hash: '#/reports?now=' + encodeURIComponent(NOW) });
    const { doc } = await waitForReports(page, {});
    const reason = doc.reports.handoffs_by_reason.find((r) => r.handoffs > 0 && r.handoffs <= 250);
    check(reason, 'a handoff reason with 1-250 handoffs in the demo data');
    await page.locator(`[data-report="handoffs_by_reason"] tr[data-key="${reason.reason}"] [data-field="handoffs"] a`).click();
    await page.waitForFunction(() => location.hash.startsWith('#/conversations?'));
    await page.waitForSelector('.conversations[aria-busy="false"] tbody tr', { timeout: TIMEOUT });
    for (;;) {
      const more = page.getByRole('button', { name: 'Show more' });
      if (!(await more.isVisible())) break;
      const before = await page.locator('.conversations tbody tr').count();
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('.conversations tbody tr').length > n, before, { timeout: TIMEOUT });
    }
    const ids = await page.locator('.conversations tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    check(ids.length === reason.handoffs, `${ids.length} conversations listed for ${reason.handoffs} handoffs (${reason.reason})`);
    const params = Object.fromEntries(new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]));
    check(params.metric === 'handed_off' && params.reason === reason.reason && params.now === NOW, 'the list keeps the figure: ' + JSON.stringify(params));
    const api1 = await api('GET', '/v1/conversations?' + new URLSearchParams({ ...params, format: 'ndjson' }), VIEWER);
    check(api1.status === 200, 'GET /v1/conversations ' + api1.status);
    const apiIds = api1.data.trim().split('\n').map((line) => JSON.parse(line).id);
    check(JSON.stringify(apiIds) === JSON.stringify(ids), 'the page lists what the API lists, in its order');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-format="csv"]').click()]);
    const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
    check(csv.trim().split('\r\n').length === reason.handoffs + 1, 'the CSV export has a row per conversation and a header');
    // A row opens the conversation: its events in order, as the API has them.
    await page.locator(`.conversations tbody tr[data-id="${ids[0]}"] th a`).first().click();
    await page.waitForSelector('.conversation[aria-busy="false"] .timeline li', { timeout: TIMEOUT });
    const one = await api('GET', '/v1/conversations/' + encodeURIComponent(ids[0]) + '?now=' + encodeURIComponent(NOW), VIEWER);
    const shown = await page.locator('.timeline li').evaluateAll((items) => items.map((li) => li.dataset.type));
    check(JSON.stringify(shown) === JSON.stringify(one.data.events.map((e) => e.type)), 'the conversation shows its events in order: ' + shown.join(', '));
    check(shown.includes('conversation.handed_off'), 'a handed-off conversation shows its handoff');
    // The not-helpful ratings of a week open with their comments, as the API has them.
    const week = [...doc.reports.feedback_trend].sort((a, b) => b.not_helpful - a.not_helpful)[0];
    await page.goto(BASE + '/#/reports?now=' + encodeURIComponent(NOW));
    await waitForReports(page, {});
    await page.locator('[data-table-for="feedback_trend"] summary').click();
    await page.locator(`[data-report="feedback_trend"] tr[data-bucket="${week.bucket}"] [data-field="not_helpful"] a`).click();
    await page.waitForSelector('.conversations[aria-busy="false"] tbody tr', { timeout: TIMEOUT });
    const rated = await api('GET', '/v1/conversations?' + new URLSearchParams({ metric: 'not_helpful', from: week.bucket,
      to: new Date(Date.parse(week.bucket + 'T00:00:00Z') + 7 * 86400000).toISOString().slice(0, 10), now: NOW, limit: '100' }), VIEWER);
    const said = rated.data.conversations.flatMap((c) => c.feedback.filter((f) => f.comment).map((f) => f.comment));
    const shownComments = await page.locator('ul.comments li').allTextContents();
    check(rated.data.conversations.length === Math.min(week.not_helpful, 100) || week.not_helpful > 100, 'one row a not-helpful conversation');
    check(said.length > 0 && said.every((text) => shownComments.some((s) => s.endsWith(text))), `the list shows the ${said.length} comments the API has`);
    check(page.errors.length === 0, 'page errors: ' + page.errors.join('; '));
    return `${ids.length} handoffs (${reason.reason}) open as ${ids.length} conversations; CSV export of the same; a row opens its ${shown.length} events`;
  },

  async controls(browser) {
    const page = await signedIn(browser, BASE, VIEWER, { hash: '#/reports?now=' + encodeURIComponent(NOW) });
    const first = await waitForReports(page, {});
    await page.getByLabel('Granularity', { exact: true }).selectOption('day');
    await page.waitForFunction(() => location.hash.includes('granularity=day'));
    const days = await waitForReports(page, { granularity: 'day' });
    check(days.doc.reports.handled_over_time.length > first.doc.reports.handled_over_time.length, 'day buckets outnumber weeks');
    const channel = first.doc.reports.handled_by_channel[1].channel;
    await page.getByLabel('Channel', { exact: true }).selectOption(channel);
    await page.waitForFunction((c) => location.hash.includes('channel=' + c), channel);
    const filtered = await waitForReports(page, { granularity: 'day', channel });
    check(filtered.doc.reports.handled_by_channel.length === 1, 'one channel after filtering');
    // The channel control keeps offering every channel while one is chosen.
    const options = await page.getByLabel('Channel', { exact: true }).locator('option').count();
    check(options === first.doc.reports.handled_by_channel.length + 1, `channel options: ${options}`);
    await page.getByRole('button', { name: '4 weeks' }).click();
    await page.waitForFunction(() => location.hash.includes('from='));
    const hash = await page.evaluate(() => location.hash);
    const params = Object.fromEntries(new URLSearchParams(hash.split('?')[1]));
    const ranged = await waitForReports(page, { granularity: 'day', channel, from: params.from, to: params.to });
    // The language filter changes every report too (the figures are the API's for it).
    const language = first.doc.reports.by_language[0].language;
    await page.locator('form.controls [name="lang-filter"]').selectOption(language);
    await page.waitForFunction((l) => location.hash.includes('language=' + l), language);
    const inLanguage = await waitForReports(page, { granularity: 'day', channel, from: params.from, to: params.to, language });
    check(inLanguage.doc.language === language && inLanguage.doc.reports.by_language.every((r) => r.language === language),
      'filtered on ' + language + ': ' + JSON.stringify(inLanguage.doc.reports.by_language.map((r) => r.language)));
    await page.locator('form.controls [name="lang-filter"]').selectOption('');
    await page.waitForFunction(() => !location.hash.includes('language='));
    check(ranged.doc.reports.handled_over_time.length === 28, '4 weeks of days: ' + ranged.doc.reports.handled_over_time.length);
    // Quick ranges end with the current week in the account's zone, whatever
    // range was on screen before (here: the 4 weeks just chosen, then October).
    const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: first.doc.time_zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(first.doc.now));
    const weekday = (new Date(localToday + 'T00:00:00Z').getUTCDay() + 6) % 7;
    const nextMonday = new Date(Date.parse(localToday + 'T00:00:00Z') + (7 - weekday) * 86400000).toISOString().slice(0, 10);
    check(params.to === nextMonday, `4 weeks ends ${params.to}, the current week ends ${nextMonday}`);
    await page.evaluate(() => { location.hash = location.hash.replace(/from=[^&]*/, 'from=2026-10-01').replace(/to=[^&]*/, 'to=2026-11-01'); });
    await page.waitForFunction(() => location.hash.includes('from=2026-10-01'));
    for (const [name, n] of [['52 weeks', 52], ['12 weeks', 12]]) {
      await page.getByRole('button', { name }).click();
      await page.waitForFunction((f) => new URLSearchParams(location.hash.split('?')[1]).get('to') !== '2026-11-01'
        && new URLSearchParams(location.hash.split('?')[1]).get('from') === f, new Date(Date.parse(nextMonday + 'T00:00:00Z') - 7 * n * 86400000).toISOString().slice(0, 10));
      const p2 = Object.fromEntries(new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]));
      const weekly = await waitForReports(page, { granularity: 'day', channel, from: p2.from, to: p2.to });
      check(p2.to === nextMonday && weekly.doc.reports.handled_over_time.length === 7 * n, `${name}: ${p2.from}..${p2.to}, ${weekly.doc.reports.handled_over_time.length} days`);
    }
    // The state is in the URL: a fresh tab with that link shows the same figures.
    const again = await signedIn(browser, BASE, VIEWER, { hash });
    await waitForReports(again, { granularity: 'day', channel, from: params.from, to: params.to });
    check(!hash.includes(VIEWER) && !again.url().includes(VIEWER), 'the token is never in the URL');
    return 'granularity, channel and range change every report; the link keeps the state';
  },

  async live(browser) {
    const page = await signedIn(browser, BASE, VIEWER, { pollMs: 300, hash: '#/reports' });
    const before = await waitForReportsNow(page);
    await page.evaluate(() => { window.__notReloaded = true; });
    const id = 'live-' + Date.now();
    const at = new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z');
    const res = await fetch(BASE + '/v1/events', {
      method: 'POST', headers: { Authorization: 'Bearer ' + INGEST, 'Content-Type': 'application/x-ndjson' },
      body: JSON.stringify({ id: id + '-1', type: 'conversation.started', at, conversation_id: id, channel: 'chat' }) + '\n',
    });
    check(res.status === 200, 'POST /v1/events ' + res.status);
    const handled = before.reports.impact.this_week.handled;
    await page.waitForFunction((n) => Number(document.querySelector('[data-week="this_week"][data-field="handled"]')?.dataset.value) === n + 1,
      handled, { timeout: TIMEOUT });
    check(await page.evaluate(() => window.__notReloaded === true), 'the page reloaded');
    return 'a new conversation shows up without reloading';
  },

  async signin(browser) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(BASE + '/');
    // The sign-in form has the language switch too, before anyone is signed in.
    await page.locator('main [name="language"]').selectOption('nb');
    await page.getByLabel('Tilgangsnøkkel', { exact: true }).waitFor({ timeout: TIMEOUT });
    check(await page.evaluate(() => document.documentElement.lang) === 'nb', 'the sign-in page in Norwegian');
    check(await page.evaluate(() => document.activeElement.name) === 'language', 'the focus stays on the switch');
    await page.locator('main [name="language"]').selectOption('en');
    await page.getByLabel('Account token', { exact: true }).fill('ap_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is not valid').waitFor({ timeout: TIMEOUT });
    await page.getByLabel('Account token', { exact: true }).fill(INGEST);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This is an ingest token').waitFor({ timeout: TIMEOUT });
    await page.getByLabel('Account token', { exact: true }).fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.role[data-role="admin"]').waitFor({ timeout: TIMEOUT });
    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('agentperf.token'), local: JSON.stringify(localStorage), cookie: document.cookie }));
    check(stored.session === ADMIN, 'the token is kept in sessionStorage');
    check(!stored.local.includes(ADMIN) && !stored.cookie.includes(ADMIN), 'the token is not in localStorage or a cookie');
    check(!page.url().includes(ADMIN), 'the token is not in the URL');
    // A reload keeps the session (same tab); signing out forgets the token.
    await page.reload();
    await page.locator('.role[data-role="admin"]').waitFor({ timeout: TIMEOUT });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Account token', { exact: true }).waitFor();
    check(await page.evaluate(() => sessionStorage.getItem('agentperf.token')) === null, 'sign out forgets the token');
    // Headers of the page: a CSP and no CORS.
    const res = await fetch(BASE + '/');
    check(/script-src 'self'/.test(res.headers.get('content-security-policy')), 'CSP on the page');
    check(res.headers.get('access-control-allow-origin') === null, 'no CORS header');
    return 'language switch on the sign-in page; bad and ingest tokens refused; token only in sessionStorage; sign out';
  },

  async viewer(browser) {
    const gaps = await requireEndpoint('GET', '/v1/gaps?limit=1', VIEWER);
    check(gaps.status === 200, 'GET /v1/gaps ' + gaps.status);
    check(gaps.data.topics.length > 0, 'the simulated data has knowledge gaps');
    const topic = gaps.data.topics[0];
    const page = await signedIn(browser, BASE, VIEWER, { hash: '#/gaps' });
    await page.locator(`tr[data-topic="${topic.id}"]`).waitFor({ timeout: TIMEOUT });
    check(await page.getByRole('button', { name: /Dismiss/ }).count() === 0, 'a viewer sees no Dismiss button');
    await page.locator(`tr[data-topic="${topic.id}"] a`).click();
    await page.locator('h1#topic-label').waitFor({ timeout: TIMEOUT });
    check(await page.locator('form.answer-form, input[name="label"], button:has-text("Dismiss")').count() === 0, 'a viewer gets no editing controls');
    await page.getByText('You are signed in as a viewer').waitFor();
    // And the server refuses a viewer's edit even when it is sent by hand.
    const status = await page.evaluate(async (id) => (await fetch(`/v1/gaps/${id}/dismiss`, {
      method: 'POST', headers: { Authorization: 'Bearer ' + sessionStorage.getItem('agentperf.token') } })).status, topic.id);
    check(status === 403, 'a viewer dismissing by hand: ' + status);
    const answers = await api('GET', '/v1/answers', VIEWER);
    if (answers.status !== 404) {
      await page.goto(BASE + '/#/answers');
      await page.getByRole('heading', { name: 'Try it' }).waitFor({ timeout: TIMEOUT });
      check(await page.getByRole('button', { name: 'New short answer' }).count() === 0, 'a viewer cannot create answers');
    }
    return 'a viewer reads topics and cannot edit (no controls; the API answers 403)' + (answers.status === 404 ? '; answers page not checked (no /v1/answers yet)' : '');
  },

  async gap_curation(browser) {
    const gaps = await requireEndpoint('GET', '/v1/gaps?limit=5', ADMIN);
    const topic = gaps.data.topics[2];
    const page = await signedIn(browser, BASE, ADMIN, { hash: '#/gaps' });
    // Dismiss a topic from the table, then undo.
    const row = page.locator(`tr[data-topic="${topic.id}"]`);
    await row.getByRole('button', { name: 'Dismiss ' + topic.label }).click();
    await row.waitFor({ state: 'detached', timeout: TIMEOUT });
    check((await api('GET', `/v1/gaps/${topic.id}`, ADMIN)).data.topic.status === 'dismissed', 'topic dismissed in the API');
    await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
    await page.locator(`tr[data-topic="${topic.id}"]`).waitFor({ timeout: TIMEOUT });
    check((await api('GET', `/v1/gaps/${topic.id}`, ADMIN)).data.topic.status !== 'dismissed', 'undo restores the topic');
    // Sorting and paging change the table through the URL.
    await page.getByLabel('Sort by', { exact: true }).selectOption('last');
    await page.waitForFunction(() => location.hash.includes('sort=last'));
    const latest = (await api('GET', '/v1/gaps?sort=last&limit=1', ADMIN)).data.topics[0];
    await page.locator(`tbody tr:first-child[data-topic="${latest.id}"]`).waitFor({ timeout: TIMEOUT });
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText(/Showing 26–/).waitFor({ timeout: TIMEOUT });
    // The channel filter offers the account's channels and filters the table.
    await page.getByLabel('Channel', { exact: true }).selectOption('email');
    await page.waitForFunction(() => location.hash.includes('channel=email') && !location.hash.includes('offset='));
    const onEmail = (await api('GET', '/v1/gaps?channel=email&sort=last&limit=25', ADMIN)).data;
    await page.getByText(`Showing 1–${Math.min(25, onEmail.total)} of ${onEmail.total}`).waitFor({ timeout: TIMEOUT });
    await page.locator(`tbody tr:first-child[data-topic="${onEmail.topics[0].id}"]`).waitFor({ timeout: TIMEOUT });
    // Topic detail: rename, dismiss a question and undo.
    await page.goto(BASE + '/#/gaps/' + topic.id);
    await page.locator('h1#topic-label').waitFor({ timeout: TIMEOUT });
    const rows = (await api('GET', `/v1/gaps/${topic.id}/questions`, ADMIN)).data;
    check(await page.locator('tr[data-question]').count() === rows.groups.length, 'one row per distinct question');
    // Rows of one question carry the per-question actions.
    const singles = rows.groups.filter((g) => g.questions.length === 1 && g.count === 1).map((g) => g.questions[0]);
    check(singles.length >= 2, 'the topic has rows of one question');
    const q = singles[0];
    const link = page.locator(`tr[data-question="${q.id}"] a`).first();
    check(await link.getAttribute('href') === q.conversation_url, 'conversation link from the template');
    await page.getByLabel('Label', { exact: true }).fill('Gift cards online');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.locator('h1#topic-label', { hasText: 'Gift cards online' }).waitFor({ timeout: TIMEOUT });
    await page.locator(`tr[data-question="${q.id}"]`).getByRole('button', { name: 'Dismiss' }).click();
    await page.locator(`tr.dismissed[data-question="${q.id}"]`).waitFor({ timeout: TIMEOUT });
    await page.locator('.toast').getByRole('button', { name: 'Undo' }).first().click();
    await page.locator(`tr:not(.dismissed)[data-question="${q.id}"]`).waitFor({ timeout: TIMEOUT });
    // Move a question to another topic, then merge this topic into it.
    const other = gaps.data.topics[3];
    const moving = singles[1];
    const mrow = page.locator(`tr[data-question="${moving.id}"]`);
    await mrow.locator('details.move summary').click();
    await mrow.getByLabel('Move to topic number', { exact: true }).fill(String(other.id));
    await mrow.getByRole('button', { name: 'Move' }).click();
    await mrow.waitFor({ state: 'detached', timeout: TIMEOUT });
    check((await api('GET', `/v1/gaps/${other.id}?limit=500`, ADMIN)).data.questions.some((x) => x.id === moving.id), 'question moved');
    page.once('dialog', (d) => d.accept());
    await page.getByLabel('Merge into topic #', { exact: true }).fill(String(other.id));
    await page.getByRole('button', { name: 'Merge' }).click();
    await page.waitForFunction((id) => location.hash === '#/gaps/' + id, other.id, { timeout: TIMEOUT });
    check((await api('GET', `/v1/gaps/${topic.id}`, ADMIN)).status === 404, 'the merged topic is gone');
    check(page.errors.length === 0, 'page errors: ' + page.errors.join('; '));
    return 'dismiss and undo (topic and question), sort, paging, channel filter, rename, move, merge';
  },

  // A topic of more than 100 distinct questions and identical ones (in the
  // account "lab", built here): the list's top questions, paging, one row per
  // identical question with its count, select, select all, dismiss by
  // conversation and undo.
  async gap_questions(browser) {
    if (!LAB_ADMIN) throw new Skip('AP_LAB_ADMIN is not set');
    await requireEndpoint('GET', '/v1/gaps/1/questions', LAB_ADMIN);
    const at = (i) => new Date(Date.parse(NOW) - (200 - i) * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
    const lines = [];
    const ask = (i, conversation, text) => lines.push(JSON.stringify({ id: 'lq' + i, type: 'question.asked', at: at(i), conversation_id: conversation, text, answered: false }));
    const KLARNA = ['Can I pay with Klarna?', 'can i pay with klarna', 'Can I pay with  Klarna ?', 'CAN I PAY WITH KLARNA'];
    for (let i = 0; i < 110; i++) ask(i, 'zx-' + i, `Does the Zentrix model ${i} support the turbo mode?`);
    KLARNA.forEach((text, k) => ask(110 + k, 'kl-' + k, text));
    ask(120, 'kl-0', 'And what does a Klarna invoice cost?');
    const res = await fetch(BASE + '/v1/events', { method: 'POST', body: lines.join('\n') + '\n',
      headers: { Authorization: 'Bearer ' + LAB_INGEST, 'Content-Type': 'application/x-ndjson' } });
    check(res.status === 200, 'ingest: ' + res.status);
    // Every question in one topic.
    const listed = (await api('GET', '/v1/gaps?status=all&limit=500', LAB_ADMIN)).data.topics.map((t) => t.id).sort((a, b) => a - b);
    const id = listed[0];
    for (const t of listed.slice(1)) check((await api('POST', `/v1/gaps/${t}/merge`, LAB_ADMIN, { into: id })).status === 200, 'merge ' + t);
    const first = (await api('GET', `/v1/gaps/${id}/questions`, LAB_ADMIN)).data;
    check(first.total === 112 && first.questions === 115, `rows ${first.total}, questions ${first.questions}`);
    const klarna = first.groups[0];
    check(klarna.count === 4, 'the identical questions are one row of 4');

    // The list shows the most asked questions with their counts.
    const page = await signedIn(browser, BASE, LAB_ADMIN, { hash: '#/gaps' });
    const top = page.locator(`tr[data-topic="${id}"] .top-questions li`);
    await top.first().waitFor({ timeout: TIMEOUT });
    check(await top.count() === 3, 'three top questions');
    check((await top.first().innerText()).replace(/\s+/g, ' ') === `4 × ${klarna.text}`, 'top question: ' + await top.first().innerText());

    // The topic page: 100 rows, then the rest on the next page.
    await page.locator(`tr[data-topic="${id}"] th a`).click();
    await page.locator('h1#topic-label').waitFor({ timeout: TIMEOUT });
    await page.getByText('Showing 1–100 of 112').waitFor({ timeout: TIMEOUT });
    check(await page.locator('tr[data-question]').count() === 100, 'a page of 100 rows');
    const row = page.locator(`tr[data-question="${klarna.questions[0].id}"]`);
    check(await row.getAttribute('data-count') === '4', 'the row counts its 4 questions');
    check((await row.innerText()).includes('4 ×'), 'the count is shown');
    // The newest three conversations show; the fourth is one click away.
    const convs = klarna.questions.map((m) => m.conversation_id);
    check(convs.slice().sort().join() === 'kl-0,kl-1,kl-2,kl-3', 'the row holds kl-0..3: ' + convs);
    for (const c of convs.slice(0, 3)) check(await row.getByRole('link', { name: c }).isVisible(), 'conversation ' + c + ' is reachable');
    check(!(await row.getByRole('link', { name: convs[3] }).isVisible()), 'the fourth is folded');
    await row.locator('details.more-conversations summary').click();
    check(await row.getByRole('link', { name: convs[3] }).getAttribute('href') === 'https://help.example.com/c/' + convs[3], 'the fourth conversation is reachable');
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('Showing 101–112 of 112').waitFor({ timeout: TIMEOUT });
    check(await page.locator('tr[data-question]').count() === 12, 'the last 12 rows');
    const second = (await api('GET', `/v1/gaps/${id}/questions?offset=100`, LAB_ADMIN)).data;
    for (const g of second.groups) check(await page.locator(`tr[data-question="${g.questions[0].id}"]`).count() === 1, 'row of page 2: ' + g.text);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByText('Showing 1–100 of 112').waitFor({ timeout: TIMEOUT });

    // Select the Klarna row and one more; dismiss their conversations.
    const plain = first.groups.find((g) => g.questions.length === 1 && g.questions[0].conversation_id.startsWith('zx-'));
    await page.getByLabel('Select “' + klarna.text + '”', { exact: true }).check();
    await page.getByLabel('Select “' + plain.text + '”', { exact: true }).check();
    const dismissButton = page.getByRole('button', { name: 'Dismiss conversations (5)' });
    await dismissButton.click();
    await page.locator('.toast', { hasText: 'Dismissed 6 questions of 5 conversations.' }).waitFor({ timeout: TIMEOUT });
    await page.locator(`tr.dismissed[data-question="${klarna.questions[0].id}"]`).waitFor({ timeout: TIMEOUT });
    let topic = (await api('GET', `/v1/gaps/${id}`, LAB_ADMIN)).data.topic;
    check(topic.questions === 109 && topic.conversations === 109, `after dismissing: ${topic.questions} questions, ${topic.conversations} conversations`);
    // kl-0's other question went with its conversation.
    const invoice = (await api('GET', `/v1/gaps/${id}/questions?limit=500`, LAB_ADMIN)).data.groups.find((g) => g.text.startsWith('And what does'));
    check(invoice.count === 0 && invoice.dismissed === 1, 'the conversation\u2019s other question is dismissed too');
    // Undo from the toast brings exactly those back.
    await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
    await page.locator(`tr:not(.dismissed)[data-question="${klarna.questions[0].id}"]`).waitFor({ timeout: TIMEOUT });
    await page.locator('.toast', { hasText: 'Undone' }).waitFor({ timeout: TIMEOUT });
    topic = (await api('GET', `/v1/gaps/${id}`, LAB_ADMIN)).data.topic;
    check(topic.questions === 115 && topic.conversations === 114, `after the undo: ${topic.questions} questions`);

    // Select all ticks every row of the page: its conversations, each once.
    const conversations = new Set(first.groups.slice(0, 100).flatMap((g) => g.questions.map((m) => m.conversation_id)));
    await page.getByLabel('Select all on this page').check();
    await page.getByRole('button', { name: `Dismiss conversations (${conversations.size})` }).waitFor({ timeout: TIMEOUT });
    check(await page.locator('td.tick input:checked').count() === 100, 'every row ticked');
    await page.getByLabel('Select all on this page').uncheck();
    check(await page.getByRole('button', { name: 'Dismiss conversations', exact: true }).isDisabled(), 'nothing ticked, nothing to dismiss');
    check(page.errors.length === 0, 'page errors: ' + page.errors.join('; '));
    return 'top questions in the list, 112 rows over two pages, a row of 4 identical questions with its conversations, select, select all, dismiss by conversation, undo';
  },

  async gap_answer(browser) {
    const gaps = await requireEndpoint('GET', '/v1/gaps?limit=1&status=open', ADMIN);
    const topic = gaps.data.topics[0];
    await requireEndpoint('POST', `/v1/gaps/${topic.id}/answer/preview`, ADMIN, { answer: 'x' });
    await requireEndpoint('POST', '/v1/answers/match', ADMIN, { question: 'x' });
    const page = await signedIn(browser, BASE, ADMIN, { hash: '#/gaps' });
    await page.locator(`tr[data-topic="${topic.id}"] a`).click();
    await page.locator('h1#topic-label').waitFor({ timeout: TIMEOUT });
    const question = page.getByLabel('Question', { exact: true });
    check(await question.inputValue() === topic.label, 'the question starts as the topic label');
    const replies = page.getByRole('button', { name: 'Use as draft answer' });
    if (await replies.count()) {
      await replies.first().click();
      check((await page.getByLabel('Answer', { exact: true }).inputValue()).length > 0, 'a team reply became the draft');
    }
    const answer = 'You can find it at https://example.com/help/gift-cards.\nAsk us if it does not work.';
    await page.getByLabel('Answer', { exact: true }).fill(answer);
    await page.getByRole('button', { name: 'Preview' }).click();
    const link = page.locator('.preview .bubble a[href="https://example.com/help/gift-cards"]');
    await link.waitFor({ timeout: TIMEOUT });
    check(await page.locator('.preview .bubble br').count() >= 1, 'line breaks kept in the preview');
    await page.getByRole('button', { name: 'Create short answer' }).click();
    await page.locator('.badge[data-status="answered"]').waitFor({ timeout: TIMEOUT });
    const t = (await api('GET', `/v1/gaps/${topic.id}`, ADMIN)).data.topic;
    check(t.status === 'answered' && t.answer_id, 'topic answered in the API');
    // The topic page shows the answer it was answered with, not an empty form.
    await page.locator('[aria-labelledby="answered-title"] .answer-text').waitFor({ timeout: TIMEOUT });
    check((await page.locator('[aria-labelledby="answered-title"] .answer-text').innerText()).includes('example.com/help/gift-cards'), 'the topic page shows the answer text');
    check(await page.locator('details.answer-again:not([open])').count() === 1, 'the form for another answer is folded away');
    await page.goto(BASE + '/#/answers');
    await tryIt(page, topic.label, `.match .found [data-answer="${t.answer_id}"]`);
    return `topic answered with ${t.answer_id}; the try-it box finds it`;
  },

  async answers(browser) {
    await requireEndpoint('GET', '/v1/answers', ADMIN);
    const page = await signedIn(browser, BASE, ADMIN, { hash: '#/answers' });
    await page.getByRole('button', { name: 'New short answer' }).click();
    const form = page.locator('form.answer-form');
    await form.getByLabel('Question', { exact: true }).fill('Do you ship to the Faroe Islands?');
    await form.getByLabel('Other phrasings', { exact: true }).fill('shipping to the Faroes\ndelivery Torshavn');
    await form.getByLabel('Answer', { exact: true }).fill('Yes, in 5 to 8 days. See https://example.com/shipping.');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Search', { exact: true }).fill('Faroe');
    const item = page.locator('li[data-answer]', { hasText: 'Do you ship to the Faroe Islands?' });
    await item.waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => location.hash.includes('q=Faroe'));
    await item.getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel('Answer', { exact: true }).fill('Yes, in 5 to 8 working days.');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('li[data-answer]', { hasText: '5 to 8 working days' }).waitFor({ timeout: TIMEOUT });
    await tryIt(page, 'Do you ship to the Faroe Islands?', '.match .found');
    // The verdict in words, with the answer's text and no internal id.
    const said = await page.locator('.match').innerText();
    check(said.includes('Would answer') && said.includes('5 to 8 working days') && said.includes('the bar is'), 'try it says what the agent would answer: ' + said);
    const created = (await api('GET', '/v1/answers?q=Faroe', ADMIN)).data.answers[0];
    check(!said.includes(created.id), 'try it shows no answer id: ' + said);
    await tryIt(page, 'what is the capital of peru', '.match .none');
    check((await page.locator('.match .none').innerText()).startsWith('Would hand off'), 'try it says the agent would hand off');
    await item.getByRole('button', { name: 'Disable' }).click();
    await page.locator('li.disabled[data-answer]', { hasText: 'Faroe' }).waitFor({ timeout: TIMEOUT });
    page.once('dialog', (d) => d.accept());
    await page.locator('li[data-answer]', { hasText: 'Faroe' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No short answer matches.').waitFor({ timeout: TIMEOUT });
    return 'create, search, edit, try it (answer and hand-off in words), disable, delete';
  },

  // axe-core's WCAG 2.1 A/AA rules (labels, names, contrast, structure) on every
  // page, desktop and phone; serious and critical findings fail. Its script is
  // injected inline, so this context bypasses the page's CSP (only here).
  async a11y(browser) {
    const axe = readFileSync(requireWeb.resolve('axe-core/axe.min.js'), 'utf8');
    const gaps = await api('GET', '/v1/gaps?limit=1', ADMIN);
    const hashes = ['#/reports?now=' + encodeURIComponent(NOW), '#/gaps', '#/answers',
      '#/conversations?metric=handed_off&now=' + encodeURIComponent(NOW)];
    if (gaps.status === 200 && gaps.data.topics.length) hashes.push('#/gaps/' + gaps.data.topics[0].id);
    const found = [];
    for (const width of [1280, 390]) {
      for (const hash of width === 1280 ? hashes : hashes.slice(0, 2)) {
        const page = await signedIn(browser, BASE, ADMIN, { width, hash, bypassCSP: true, locale: BROWSER_LOCALE[LANG] });
        check(await page.evaluate(() => document.documentElement.lang) === LANG, '<html lang> is ' + LANG);
        await page.waitForSelector('[aria-busy="false"], h1#topic-label, .error', { timeout: TIMEOUT });
        await page.waitForTimeout(300);
        await page.addScriptTag({ content: axe });
        const violations = await page.evaluate(async () => (await window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
        })).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
        for (const v of violations) {
          if (v.impact === 'serious' || v.impact === 'critical') found.push(`${width}px ${hash}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.join(', ')}`);
        }
        await page.context().close();
      }
    }
    check(found.length === 0, found.length + ' accessibility violations:\n  ' + found.join('\n  '));
    return `no serious or critical WCAG 2.1 AA findings on ${hashes.length} pages at 1280 px, reports and gaps at 390 px, in ${LANG}`;
  },

  async keyboard(browser) {
    const page = await signedIn(browser, BASE, VIEWER, { hash: '#/reports?now=' + encodeURIComponent(NOW) });
    await page.waitForSelector('.reports[aria-busy="false"]', { timeout: TIMEOUT });
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.textContent) === 'Skip to content', 'the first Tab reaches the skip link');
    await page.keyboard.press('Enter');
    check(await page.evaluate(() => document.activeElement.id) === 'main', 'the skip link moves the focus to the content');
    check(await page.evaluate(() => location.hash.startsWith('#/reports')), 'the skip link keeps the page');
    // A filter changed from the keyboard keeps the focus on its control.
    await page.getByLabel('Granularity', { exact: true }).focus();
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => location.hash.includes('granularity=day'), null, { timeout: TIMEOUT });
    await page.waitForSelector('.reports[aria-busy="false"]', { timeout: TIMEOUT });
    check(await page.evaluate(() => document.activeElement.name) === 'granularity', 'focus stays on the control');
    // The navigation is reachable and announces the current page.
    await page.getByRole('link', { name: 'Knowledge gaps' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('nav a[aria-current="page"]')?.textContent === 'Knowledge gaps', null, { timeout: TIMEOUT });
    return 'skip link, filters from the keyboard keep the focus, navigation';
  },

  // The same figures and pages in Firefox (SPEC §7: current Chromium and
  // Firefox). Runs when Debian's firefox-esr is installed; skips otherwise.
  // In Norwegian the language is chosen with the header's switch (Firefox over
  // WebDriver BiDi may not take a context locale), from an English page.
  async firefox(browser) {
    const page = await signedIn(browser, BASE, VIEWER, { hash: '#/reports?now=' + encodeURIComponent(NOW), locale: 'en-GB' });
    if (LANG !== 'en') {
      await waitForReports(page, {}, 'en');
      await page.locator('header [name="language"]').selectOption(LANG);
    }
    const { n, doc } = await waitForReports(page, {});
    check(await page.evaluate(() => document.documentElement.lang) === LANG, '<html lang> is ' + LANG);
    check(await page.locator('.chart canvas').count() >= 10, 'charts drawn');
    // A figure opens its conversations in Firefox too (the first page of them).
    const reason = doc.reports.handoffs_by_reason[0];
    await page.locator(`[data-report="handoffs_by_reason"] tr[data-key="${reason.reason}"] [data-field="handoffs"] a`).click();
    await page.waitForSelector('.conversations[aria-busy="false"] tbody tr', { timeout: TIMEOUT });
    const listed = await page.locator('.conversations tbody tr').count();
    check(listed === Math.min(reason.handoffs, 100), `Firefox lists ${listed} of ${reason.handoffs} handoffs on the first page`);
    await page.goBack();
    await waitForReports(page, {});
    await page.locator('[name="granularity"]').selectOption('month');
    await page.waitForFunction(() => location.hash.includes('granularity=month'));
    await waitForReports(page, { granularity: 'month' });
    for (const [hash, ready] of [['#/gaps', 'table.topics, .error'], ['#/answers', 'ul.answers, .empty, .error']]) {
      await page.goto(BASE + '/' + hash);
      await page.waitForSelector(ready, { timeout: TIMEOUT });
    }
    if (LANG === 'nb') await noEnglish(page, 'answers (Firefox)');
    check(page.errors.length === 0, 'page errors: ' + page.errors.join('; '));
    return `${n} figures equal the API's in Firefox in ${LANG}; granularity; gaps and answers pages load`;
  },

  async phone(browser) {
    for (const hash of ['#/reports?now=' + encodeURIComponent(NOW), '#/gaps', '#/answers']) {
      const page = await signedIn(browser, BASE, ADMIN, { width: 390, height: 844, hash });
      await page.waitForSelector('[aria-busy="false"], .error, .empty', { timeout: TIMEOUT });
      await page.waitForTimeout(200);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      check(width <= 392, `${hash}: the page is ${width} px wide at a 390 px viewport`);
      await page.context().close();
    }
    return 'no sideways scrolling at 390 px';
  },
};

// Asks the "Try it" box until the answer shows: the matcher may take in a new
// answer a moment after it was stored.
async function tryIt(page, question, found) {
  const deadline = Date.now() + TIMEOUT;
  await page.getByLabel('Visitor question', { exact: true }).fill(question);
  for (;;) {
    await page.getByRole('button', { name: 'Find answer' }).click();
    try {
      await page.locator(found).waitFor({ timeout: 1000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`"Try it" did not find ${found} for "${question}": ` + await page.locator('.match').innerText());
    }
  }
}

async function waitForReportsNow(page) {
  await page.waitForSelector('.reports[aria-busy="false"] [data-report="team"]', { timeout: TIMEOUT });
  const res = await api('GET', '/v1/reports', VIEWER);
  return res.data;
}

const name = process.argv[2];
if (!scenarios[name]) {
  console.error('scenarios: ' + Object.keys(scenarios).join(' '));
  process.exit(2);
}
const browser = name === 'firefox' ? await launchFirefox() : await launch();
if (browser === null) {
  console.log(`SKIP ${name}: no Firefox at ${process.env.AP_FIREFOX || '/usr/bin/firefox-esr'} (apt-get install firefox-esr)`);
  process.exit(SKIP);
}
const started = Date.now();
let code = 0;
try {
  const what = await scenarios[name](browser);
  console.log(`ok ${name}: ${what} (${Date.now() - started} ms)`);
} catch (e) {
  if (e instanceof Skip) {
    console.log(`SKIP ${name}: ${e.message}`);
    code = SKIP;
  } else {
    console.log(`FAIL ${name}: ${e.stack || e}`);
    code = 1;
  }
} finally {
  await browser.close();
}
process.exit(code);
