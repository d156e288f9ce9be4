// How figures are written on the page, in the chosen language's locale
// (i18n.js): "6,381" / "6 381", "53.7%" / "53,7 %", "31 Aug" / "31. aug.".
// The browser tests format the API's figures with these same rules,
// independently, and compare them to what the page shows.
import { intlLocale, t } from './i18n.js';

// Intl formatters are costly to make and the page formats ~1000 figures a
// render: one of each per locale.
const formatters = new Map();
function numberFormat(options) {
  const key = intlLocale() + JSON.stringify(options);
  if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat(intlLocale(), options));
  return formatters.get(key);
}

export function count(n) {
  return n === null || n === undefined ? '–' : numberFormat({ maximumFractionDigits: 0 }).format(n);
}

// A number with one decimal in the locale ("12.5" / "12,5"). It is rounded with
// toFixed first, so that the page rounds exactly as it always did (Intl would
// round the exact decimal value, which differs at some halves).
export function oneDecimal(x) {
  return numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(x.toFixed(1)));
}

// A rate in [0, 1] as a percentage with one decimal; null (no denominator) as a dash.
export function percent(rate) {
  return rate === null || rate === undefined ? '–' : t('fmt.percent', { n: oneDecimal(rate * 100) });
}

// A whole percentage for chart axes ("40%" / "40 %").
export function percentAxis(rate) {
  return t('fmt.percent', { n: String(Math.round(rate * 100)) });
}

// Seconds as the two largest units: "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h".
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  let s = Math.round(seconds);
  if (s < 60) return s + ' ' + t('unit.s');
  const units = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  const parts = [];
  for (const [name, size] of units) {
    if (s >= size || parts.length) {
      parts.push(Math.floor(s / size) + ' ' + t('unit.' + name));
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export function ratio(row) {
  return count(row.numerator) + ' / ' + count(row.denominator);
}

// Instants are shown in the account's time zone (GET /v1/me), as the reports
// bucket them, never in the browser's: a lead in Oslo and one travelling see
// the same times. Until it is known, the browser's zone is used.
let zone;
export function setTimeZone(name) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    zone = name;
  } catch (e) {
    zone = undefined; // a zone this browser does not know: its own
  }
}
export function timeZone() {
  return zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// An RFC 3339 instant as a date and time in the account's zone, the zone named:
// "24 Nov 2026, 09:12 CET".
export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(intlLocale(), { day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', timeZone: zone, timeZoneName: 'short' });
}

// Shorter, for tables: "24 Nov, 09:12" (the zone is named on the page).
export function shortDateTime(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(intlLocale(), { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone });
}

export function date(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleDateString(intlLocale(), { day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
}

// The local date ("2026-12-06") of an instant in the account's zone.
export function localDay(iso) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(iso));
}

// A bucket's local date ("2026-11-23") as "23 Nov" / "23. nov." (or "Nov 2026" for months).
// withYear adds the year to days and weeks ("23 Nov 26"), for ranges over more than one year.
export function bucket(day, granularity, withYear = false) {
  const [y, m, d] = day.split('-').map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (granularity === 'month') {
    return dt.toLocaleDateString(intlLocale(), { month: 'short', year: 'numeric', timeZone: 'UTC' });
  }
  return dt.toLocaleDateString(intlLocale(), { day: 'numeric', month: 'short', timeZone: 'UTC', ...(withYear ? { year: '2-digit' } : {}) });
}

// A local date ("2026-08-31") with its year: "31 Aug 2026" / "31. aug. 2026".
export function day(local) {
  const [y, m, d] = local.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(intlLocale(),
    { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

// The wall-clock time now in the chosen locale, for "checked 10:42".
export function clock() {
  return new Date().toLocaleTimeString(intlLocale());
}

// Handoff reasons are the agent's own words (codes); the common ones are
// translated, any other is shown as it came, underscores as spaces.
const KNOWN_REASONS = ['missing_knowledge', 'customer_request', 'unspecified'];
export function reasonText(reason) {
  return KNOWN_REASONS.includes(reason) ? t('reason.' + reason) : reason.replace(/_/g, ' ');
}

// A local date ("2026-12-06") n days on (or back), as a local date.
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
