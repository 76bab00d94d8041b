// "Get help now" is reachable signed out, from every page's header, and shows the
// person's country's crisis line and emergency number, with where each number comes from and
// when it was checked listed once below them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertPageHeaders,
  checkA11y,
  launchBrowser,
  newDesktopContext,
  newPhoneContext,
  recordPages,
  screenshot,
} from '../lib/browser.mjs';
import { visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let context;
let recorder;
let page;

before(async () => {
  server = await startServer({ name: 'help' });
  browser = await launchBrowser();
  context = await newPhoneContext(browser);
  context.setDefaultTimeout(15_000);
  recorder = recordPages(context);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Picks a country with the "Country" select and the "Show" button. */
async function showCountry(code) {
  await page.getByLabel('Country').selectOption(code);
  await Promise.all([page.waitForEvent('framenavigated'), page.getByRole('button', { name: 'Show' }).click()]);
  await page.waitForLoadState('domcontentloaded');
}

/**
 * Every crisis line (a list item with a call or text link) is named in "Where these numbers
 * come from", with a link to its source, and the list says when the numbers were checked.
 */
async function assertEachLineSourced(label) {
  const found = await page.evaluate(() => {
    const scope = document.querySelector('main') ?? document.body;
    const lines = [...scope.querySelectorAll('li')]
      .filter((li) => li.querySelector('a[href^="tel:"], a[href^="sms:"]'))
      .map((li) => li.querySelector('h3')?.textContent.trim() ?? '');
    const sources = scope.querySelector('details.sources');
    return {
      lines,
      sourced: [...(sources?.querySelectorAll('li') ?? [])]
        .filter((li) => li.querySelector('a[href^="https://"]'))
        .map((li) => li.textContent.trim()),
      checked: sources?.textContent ?? '',
    };
  });
  assert.ok(found.lines.length > 0, `${label}: no crisis lines (list items with tel: or sms: links)`);
  const unsourced = found.lines.filter((name) => !found.sourced.some((s) => s.startsWith(`${name}:`)));
  assert.deepEqual(unsourced, [], `${label}: lines without a source under "Where these numbers come from"`);
  assert.match(found.checked, /checked [A-Z][a-z]+ \d{4}/, `${label}: when the numbers were checked`);
}

test('the help page, signed out, shows the chosen country’s lines', async () => {
  const response = await page.goto(`${server.url}/help`);
  assert.equal(response.status(), 200);
  await visible(page.getByRole('heading', { name: 'Get help now' }), 'the "Get help now" heading');
  await visible(page.getByText(/not for emergencies/i), 'the words "not for emergencies"');
  await checkA11y(page, '/help');
  await screenshot(page, 'help-default-phone');

  await showCountry('GB');
  await visible(page.locator('a[href="tel:116123"]'), 'the Samaritans line (tel:116123)');
  await visible(page.locator('a[href="tel:999"]'), 'the UK emergency number (tel:999)');
  await assertEachLineSourced('GB');
  await checkA11y(page, '/help GB');
  await screenshot(page, 'help-gb-phone');

  await showCountry('US');
  await visible(page.locator('a[href="tel:988"]'), 'the US 988 line (tel:988)');
  const html = await page.content();
  assert.ok(!/1-?800-?273-?8255/.test(html), 'the retired US number 1-800-273-8255 must not appear');
  assert.ok(!html.includes('tel:116123'), 'the UK line must not show for the US');
  await assertEachLineSourced('US');
  await checkA11y(page, '/help US');
  await screenshot(page, 'help-us-phone');
});

test('"Get help now" is a link in the header of /signin and /help', async () => {
  for (const path of ['/signin', '/help']) {
    const response = await page.goto(`${server.url}${path}`);
    assert.equal(response.status(), 200, `${path} status`);
    await visible(
      page.locator('header').getByRole('link', { name: 'Get help now', exact: true }),
      `the "Get help now" link in the header of ${path}`,
    );
    await checkA11y(page, path);
  }
  await screenshot(page, 'signin-phone');
});

test('the pages keep to their Content-Security-Policy (nothing blocked)', async () => {
  // A context that enforces the CSP, unlike the axe contexts: any inline script or style
  // would be refused and reported on the console.
  const strict = await newDesktopContext(browser, { bypassCSP: false });
  const pageStrict = await strict.newPage();
  const reports = [];
  pageStrict.on('console', (msg) => {
    if (/content security policy/i.test(msg.text())) reports.push(msg.text());
  });
  pageStrict.on('pageerror', (err) => reports.push(`page error: ${err.message}`));
  try {
    for (const path of ['/help', '/signin', '/']) {
      await pageStrict.goto(`${server.url}${path}`);
      await pageStrict.waitForLoadState('load');
    }
    await screenshot(pageStrict, 'signup-desktop');
  } finally {
    await strict.close();
  }
  assert.deepEqual(reports, [], 'CSP violations or script errors');
});

test('security headers on every page', async () => {
  const { checked, signedIn } = await assertPageHeaders(recorder);
  console.log(`checked security headers on ${checked} page responses, ${signedIn} of them signed in`);
});
