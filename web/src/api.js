// The API client. The token lives in sessionStorage (this tab only, gone when
// it closes) and travels only in the Authorization header: never in a URL, a
// cookie or a log line.
import { t } from './i18n.js';

const TOKEN_KEY = 'agentperf.token';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Builds "/path?a=1&b=2" from the defined, non-empty parameters.
export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? path + '?' + s : path;
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

// One request. Resolves to {status, etag, data} (data is null for 204 and 304);
// rejects with ApiError for 4xx/5xx, with the server's message.
export async function request(method, path, { body, etag, raw } = {}) {
  const headers = { Authorization: 'Bearer ' + token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (etag) headers['If-None-Match'] = etag;
  let res;
  try {
    res = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', t('api.unreachable'), null);
  }
  if (res.status === 204 || res.status === 304) {
    return { status: res.status, etag: res.headers.get('ETag'), data: null };
  }
  if (!res.ok) {
    let err = {};
    try { err = (await res.json()).error || {}; } catch (e) { /* not JSON */ }
    const apiError = new ApiError(res.status, err.code || 'http_' + res.status,
      err.message || t('api.status', { status: res.status }), err.field || null);
    if (res.status === 401) onUnauthorized(apiError);
    throw apiError;
  }
  const data = raw ? await res.blob() : await res.json();
  return { status: res.status, etag: res.headers.get('ETag'), data };
}

// A GET started before the page that needs it exists (at start-up, alongside
// GET /v1/me); the page's own get of the same URL takes it over, once.
const early = new Map();
export function prefetch(path, params) {
  const u = url(path, params);
  const p = request('GET', u);
  p.catch(() => {}); // a failure is reported to the page that takes it over
  early.set(u, p);
}

export function get(path, params, opts) {
  const u = url(path, params);
  const p = early.get(u);
  if (p && !(opts && opts.etag)) {
    early.delete(u);
    return p;
  }
  return request('GET', u, opts);
}
export const post = (path, body) => request('POST', path, { body: body === undefined ? {} : body });
export const patch = (path, body) => request('PATCH', path, { body });
export const del = (path) => request('DELETE', path);

// Fetches a file with the token and hands it to the browser as a download.
export async function download(path, params, filename) {
  const { data } = await request('GET', url(path, params), { raw: true });
  const href = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}
