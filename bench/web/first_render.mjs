// Times the reports page's first render in Debian's chromium: from the start
// of navigation to the page's own marks (reports.js), "rendered" (every report
// built, charts drawn) and "painted" (the next frame after it). Each run is a
// fresh browser context (cold cache), signed in through sessionStorage.
//   node first_render.mjs BASE_URL TOKEN RUNS
import { launch } from '../../tests/web/browser.mjs';

const [base, token, runsArg] = process.argv.slice(2);
const runs = Number(runsArg) || 10;
const browser = await launch();
const results = { rendered: [], painted: [], api: [] };
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((t) => sessionStorage.setItem('agentperf.token', t), token);
  const page = await context.newPage();
  await page.goto(base + '/#/reports');
  await page.waitForFunction(() => performance.getEntriesByName('agentperf:reports-painted').length > 0, null, { timeout: 30000 });
  const t = await page.evaluate(() => ({
    rendered: performance.getEntriesByName('agentperf:reports-rendered')[0].startTime,
    painted: performance.getEntriesByName('agentperf:reports-painted')[0].startTime,
    api: performance.getEntriesByType('resource').filter((r) => r.name.includes('/v1/reports'))[0]?.duration ?? NaN,
  }));
  for (const k of Object.keys(results)) results[k].push(t[k]);
  await context.close();
}
await browser.close();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
console.log(`first_render_ms_median=${median(results.rendered).toFixed(1)} painted_ms_median=${median(results.painted).toFixed(1)} ` +
  `reports_fetch_ms_median=${median(results.api).toFixed(1)} max_painted_ms=${Math.max(...results.painted).toFixed(1)} runs=${runs}`);
