// Lighthouse's mobile preset (a mid-range phone on a slow 4G line, simulated) on the pages a
// person reaches for on a hard day, signed in with weeks of history: accessibility must be
// 100, best practices and performance at least 95.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, newPhoneContext } from '../lib/browser.mjs';
import { createAccount, newAccount, sessionCookie } from '../lib/flows.mjs';
import { seedHistory } from '../lib/seed.mjs';
import { RESULTS_DIR, startServer } from '../lib/server.mjs';

const PAGES = ['/', '/checkin', '/help', '/toolkit', '/brief'];
const MINIMUM = { accessibility: 100, 'best-practices': 95, performance: 95 };

let server;
let browser;
let port;
let cookie;

/** A loopback port nobody is listening on, for Chromium's debugging protocol. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
}

before(async () => {
  server = await startServer({ name: 'lighthouse' });
  port = await freePort();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`],
    headless: true,
  });
  const context = await newPhoneContext(browser, { timezoneId: 'Europe/London' });
  const page = await context.newPage();
  await createAccount(page, server.url, newAccount('lighthouse'));
  await seedHistory(page, server.url);
  const sid = await sessionCookie(context);
  cookie = `${sid.name}=${sid.value}`;
  await context.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * One Lighthouse run. A run whose recording failed (a `runtimeError` such as NO_NAVSTART, which
 * Lighthouse itself says to run again) measured nothing, so it is run again, at most twice;
 * a low score is never retried.
 */
async function audit(url) {
  for (let attempt = 1; ; attempt++) {
    const run = await lighthouse(url, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: Object.keys(MINIMUM),
      // The session rides on a header: Lighthouse clears the origin's storage before it loads.
      extraHeaders: { Cookie: cookie },
    });
    const failed = run.lhr.runtimeError;
    if (!failed || attempt === 3) return run;
    console.log(`lighthouse ${url}: recording failed (${failed.code}), running again`);
  }
}

for (const pagePath of PAGES) {
  test(`Lighthouse on ${pagePath}`, async () => {
    const run = await audit(`${server.url}${pagePath}`);
    const name = pagePath === '/' ? 'home' : pagePath.slice(1);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, `lighthouse-${name}.json`), run.report);
    const { categories, audits, finalDisplayedUrl, runtimeError } = run.lhr;
    assert.equal(runtimeError, undefined, `Lighthouse could not measure ${pagePath}: ${runtimeError?.message}`);
    assert.equal(new URL(finalDisplayedUrl).pathname, pagePath, 'Lighthouse was sent elsewhere (signed out?)');
    const scores = Object.fromEntries(Object.keys(MINIMUM).map((id) => [id, Math.round(categories[id].score * 100)]));
    console.log(`lighthouse ${pagePath}: ${JSON.stringify(scores)}`);
    for (const [id, minimum] of Object.entries(MINIMUM)) {
      const failing = categories[id].auditRefs
        .map((ref) => audits[ref.id])
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
        .map((a) => `${a.id} (${a.score})`);
      assert.ok(scores[id] >= minimum, `${pagePath} ${id} ${scores[id]} < ${minimum}; failing audits: ${failing.join(', ')}`);
    }
  });
}
