// Screenshots of the dashboard for the docs: every page at desktop (1280 px)
// and phone (390 px) width.  node screenshots.mjs BASE_URL ADMIN_TOKEN OUT_DIR
// scripts/screenshots.sh starts a server on simulated data and runs this.
import { launch, signedIn } from './browser.mjs';

const [base, token, out] = process.argv.slice(2);
const browser = await launch();
const gaps = await (await fetch(base + '/v1/gaps?limit=1', { headers: { Authorization: 'Bearer ' + token } })).json();
const topic = gaps.topics ? gaps.topics[0].id : null;
// A few short answers to show, when the server has the answers API.
const SAMPLES = [
  { question: 'Do you ship to Iceland?', alternatives: ['shipping to Iceland', 'delivery to Reykjavik'],
    answer: 'Yes. Parcels to Iceland take 5 to 8 working days; see https://example.com/shipping for prices.', language: 'en' },
  { question: 'Hvordan bruker jeg gavekort på nettet?', alternatives: ['gavekort i nettbutikken'],
    answer: 'Skriv inn gavekortkoden i betalingssteget. Det som er igjen, blir stående på kortet i tre år.', language: 'nb' },
  { question: 'Do you have a student discount?', answer: 'Students get 10% off with a valid student ID in the app: https://example.com/student',
    language: 'en', enabled: false },
];
for (const body of SAMPLES) {
  const res = await fetch(base + '/v1/answers', { method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' } });
  if (res.status === 404) break;
}

const pages = [
  ['reports', '#/reports', '.reports[aria-busy="false"] [data-report="team"]'],
  ['gaps', '#/gaps', 'table.topics, .error, .empty'],
  ['topic', '#/gaps/' + topic, 'h1#topic-label, .error'],
  ['answers', '#/answers', 'ul.answers, .error, .empty'],
];
for (const [name, hash, ready] of pages) {
  if (name === 'topic' && topic === null) continue;
  for (const [suffix, width, height, full] of [['desktop', 1280, 1000, name === 'reports'], ['phone', 390, 844, false]]) {
    const page = await signedIn(browser, base, token, { width, height, hash });
    await page.waitForSelector(ready, { timeout: 15000 });
    if (name === 'answers' && await page.locator('ul.answers').count()) {
      await page.getByLabel('Visitor question', { exact: true }).fill('can I get my parcel sent to iceland');
      await page.getByRole('button', { name: 'Find answer' }).click();
      await page.waitForSelector('.match p');
    }
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${out}/${name}-${suffix}.png`, fullPage: full });
    await page.context().close();
  }
}
await browser.close();
console.log('screenshots in ' + out);
