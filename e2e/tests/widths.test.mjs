// Every page a signed-in person can reach by following links, at a small phone's 320 px, a
// common phone's 390 px and a desktop's 1280 px: no accessibility violation, nothing wider than
// the screen (content that needs a sideways scroll is content people miss), and no link or
// button in the page's navigation outside the screen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser } from '../lib/browser.mjs';
import { createAccount, newAccount } from '../lib/flows.mjs';
import { seedHistory } from '../lib/seed.mjs';
import { startServer } from '../lib/server.mjs';

const WIDTHS = [320, 390, 1280];
// Enough for every kind of page (each list, form and detail page), few enough to stay quick.
const MAX_PAGES = 45;

let server;
let browser;
let context;
let pages = [];

/** Same-site GET addresses a person can follow from here (not sign-out, API or files). */
async function linksOn(page, origin) {
  const hrefs = await page.$$eval('a[href]', (as) => as.filter((a) => !a.hasAttribute('download')).map((a) => a.href));
  return hrefs
    .map((h) => new URL(h))
    .filter((u) => u.origin === origin && !/^\/(api|static|assets|signout)/.test(u.pathname) && !/\.(pdf|ics|csv|json|png|svg)$/.test(u.pathname))
    .map((u) => u.pathname + u.search);
}

before(async () => {
  server = await startServer({ name: 'widths' });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'Europe/London', bypassCSP: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await createAccount(page, server.url, newAccount('widths'));
  await seedHistory(page, server.url);

  // Breadth first from home, so the pages one tap away come first.
  const origin = new URL(server.url).origin;
  const seen = new Set(['/']);
  const queue = ['/'];
  while (queue.length > 0 && pages.length < MAX_PAGES) {
    const address = queue.shift();
    const res = await page.goto(`${server.url}${address}`);
    if (!res.ok() || !(res.headers()['content-type'] ?? '').startsWith('text/html')) continue;
    pages.push(address);
    for (const link of await linksOn(page, origin)) {
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  await page.close();
  console.log(`${pages.length} pages: ${pages.join(' ')}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the crawl found the app, not just a sign-in page', () => {
  for (const must of ['/', '/checkin', '/toolkit', '/help', '/brief', '/history', '/sessions', '/settings']) {
    assert.ok(pages.includes(must), `${must} was not reached by following links; reached: ${pages.join(' ')}`);
  }
});

for (const width of WIDTHS) {
  test(`every page at ${width} px: no axe violation, nothing wider than the screen`, async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: width < 1000 ? 844 : 900 });
    const problems = [];
    for (const address of pages) {
      await page.goto(`${server.url}${address}`);
      try {
        await checkA11y(page, `${address} at ${width} px`);
      } catch (err) {
        problems.push(err.message);
      }
      const wide = await page.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        const out = [];
        if (document.documentElement.scrollWidth > limit + 1) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${limit})`);
        // Navigation links must be on screen (a strip that scrolls sideways hides them).
        for (const a of document.querySelectorAll('nav a, nav button')) {
          const r = a.getBoundingClientRect();
          const style = getComputedStyle(a);
          if (r.width === 0 || style.visibility === 'hidden') continue;
          if (r.left < -1 || r.right > limit + 1) out.push(`nav item "${a.textContent.trim()}" lies outside the screen (${Math.round(r.left)}–${Math.round(r.right)})`);
        }
        return out;
      });
      for (const w of wide) problems.push(`${address} at ${width} px: ${w}`);
    }
    await page.close();
    if (problems.length > 0) assert.fail(`${problems.length} problem(s) on ${pages.length} pages:\n${problems.join('\n')}`);
  });
}
