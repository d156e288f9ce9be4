// Shared by the browser tests and the screenshot script: Debian's chromium
// driven by playwright-core (from web/node_modules; never a browser download).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

// Packages of web/package.json (playwright-core, axe-core), wherever this file runs from.
export const requireWeb = createRequire(new URL('../../web/package.json', import.meta.url));
export const { chromium, firefox } = requireWeb('playwright-core');

export const CHROMIUM = process.env.AP_CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error('no chromium at ' + CHROMIUM + ' (apt-get install chromium)');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

export const FIREFOX = process.env.AP_FIREFOX || '/usr/bin/firefox-esr';

// Debian's Firefox ESR over WebDriver BiDi (playwright-core's "moz-firefox"
// channel, which needs no patched Firefox build).
export async function launchFirefox() {
  if (!existsSync(FIREFOX)) return null;
  return firefox.launch({ executablePath: FIREFOX, headless: true, channel: 'moz-firefox' });
}

// A fresh page signed in with token (through the sign-in form, as a person would).
// locale is the browser's language (navigator.languages), which picks the
// dashboard's; the form is found by its names, so it works in any language.
export async function signedIn(browser, base, token, { width = 1280, height = 900, pollMs, hash = '#/reports', bypassCSP = false, locale } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP, ...(locale ? { locale } : {}) });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[34]/.test(m.text())) errors.push(m.text()); });
  page.errors = errors;
  if (pollMs) await context.addInitScript((ms) => sessionStorage.setItem('agentperf.poll_ms', String(ms)), pollMs);
  await page.goto(base + '/' + hash);
  await page.locator('form.signin input[name="token"]').fill(token);
  await page.locator('form.signin button[type="submit"]').click();
  await page.waitForSelector('header.top');
  return page;
}
