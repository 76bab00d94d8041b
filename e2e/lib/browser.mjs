// Debian's Chromium driven by playwright-core, plus the checks every page gets:
// accessibility (axe-core), security headers, and a screenshot for people to look at.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.resolve(here, '..', 'screenshots');

export const CHROMIUM = process.env.BETWEEN_CHROMIUM || '/usr/bin/chromium';

// The machine has no network but loopback: these flags stop Chromium from trying.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const EXPECTED_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

// bypassCSP lets the test inject axe-core into pages whose CSP allows only 'self' scripts.
// Contexts that must see the CSP enforced pass {bypassCSP: false}.
export async function newPhoneContext(browser, options = {}) {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    bypassCSP: true,
    ...options,
  });
}

export async function newDesktopContext(browser, options = {}) {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    bypassCSP: true,
    ...options,
  });
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
let axeSource;

/** Runs axe-core on the page and fails with a readable list when anything is found. */
export async function checkA11y(page, label) {
  axeSource ??= readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) {
    await page.addScriptTag({ content: axeSource });
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const violations = result.violations;
  if (violations.length > 0) {
    const lines = [`axe found ${violations.length} violation(s) on ${label} (${page.url()}):`];
    for (const v of violations) {
      lines.push(`- ${v.id} [${v.impact}]: ${v.help} (${v.helpUrl})`);
      for (const node of v.nodes) {
        lines.push(`    at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
      }
    }
    assert.fail(lines.join('\n'));
  }
}

/** Saves a full-page PNG to e2e/screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return fullPageShot(page, path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9_-]+/gi, '-')}.png`));
}

/**
 * A PNG of the whole page at FILE. A full-page capture keeps the screen's own height for
 * layout, so the phone's bottom bar (fixed to the screen's bottom edge) would be drawn across
 * the middle of a long page: the screen is made as tall as the page for the capture, so the
 * bar sits at the end, below everything, as a person scrolling would see it.
 */
export async function fullPageShot(page, file) {
  const screen = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const taller = screen && height > screen.height;
  if (taller) await page.setViewportSize({ width: screen.width, height });
  try {
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    if (taller) await page.setViewportSize(screen);
  }
  return file;
}

/** The promise's value, or `fallback` when it takes longer than `ms`. */
function within(ms, promise, fallback) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/**
 * Records every HTML document the context loads from the server, with its headers and
 * whether the request carried the session cookie, so a test can check all of them.
 */
export function recordPages(context) {
  const pending = [];
  context.on('response', (response) => {
    const request = response.request();
    if (request.resourceType() !== 'document' || response.fromServiceWorker()) return;
    pending.push(
      (async () => {
        // allHeaders() waits for the browser's raw headers, which can be missing for a page
        // that was left at once; headers() is then the next best.
        const headers = await within(5_000, response.allHeaders(), response.headers());
        const requestHeaders = await within(5_000, request.allHeaders(), request.headers());
        return {
          url: response.url(),
          status: response.status(),
          headers,
          signedIn: /(^|;\s*)(__Host-)?sid=/.test(requestHeaders.cookie ?? ''),
        };
      })(),
    );
  });
  return {
    async all() {
      return Promise.all(pending);
    },
  };
}

/**
 * Asserts the security headers on every recorded HTML page.
 * @returns {Promise<{checked: number, signedIn: number}>} how many pages, and how many signed in
 */
export async function assertPageHeaders(recorder) {
  const pages = (await recorder.all()).filter(
    (p) => p.status < 300 || p.status >= 400, // redirects carry no page
  );
  assert.ok(pages.length > 0, 'no page responses were recorded');
  const problems = [];
  let checked = 0;
  let signedIn = 0;
  for (const p of pages) {
    const h = p.headers;
    const where = `${p.status} ${p.url}`;
    if (!(h['content-type'] ?? '').startsWith('text/html')) continue;
    checked += 1;
    if (p.signedIn) signedIn += 1;
    if (h['content-security-policy'] !== EXPECTED_CSP) {
      problems.push(`${where}: content-security-policy is ${JSON.stringify(h['content-security-policy'])}`);
    }
    if (h['x-content-type-options'] !== 'nosniff') {
      problems.push(`${where}: x-content-type-options is ${JSON.stringify(h['x-content-type-options'])}`);
    }
    if (h['referrer-policy'] !== 'no-referrer') {
      problems.push(`${where}: referrer-policy is ${JSON.stringify(h['referrer-policy'])}`);
    }
    if (p.signedIn && !(h['cache-control'] ?? '').includes('no-store')) {
      problems.push(`${where}: signed-in page without cache-control no-store (${JSON.stringify(h['cache-control'])})`);
    }
  }
  assert.deepEqual(problems, [], `security headers:\n${problems.join('\n')}`);
  assert.ok(checked > 0, 'no HTML pages among the recorded responses');
  return { checked, signedIn };
}
