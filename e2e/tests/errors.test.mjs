// When something goes wrong, a person still sees Between: its own calm page with the right
// status, "Get help now", and the signed-in layout when they are signed in. Covers a missing
// page, a bad address, a form too large to take, a paused sign-in, and a wrong host.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser, newDesktopContext, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, signOut, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;

before(async () => {
  // Each test makes its own account.
  server = await startServer({ name: 'errors', args: ['--open-signup'] });
  browser = await launchBrowser();
});

/** Signs up on the open sign-up page (this server lets every test make its own account). */
async function createAccount(page, account) {
  await page.goto(`${server.url}/signup`);
  await fillSignup(page, account);
  await signup.submit(page).click();
  await expectHome(page);
}

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The page offers help first and is accessible; saved for a person to look at. */
async function checkErrorPage(page, label, { signedIn }) {
  await visible(page.getByRole('link', { name: /Get help now/ }), `"Get help now" on ${label}`);
  // The signed-in frame has the main navigation (a bottom bar on a phone, a side list on a
  // desktop); a signed-out page has none, and no way to sign out.
  const nav = page.getByRole('navigation', { name: 'Main' });
  if (signedIn) {
    await visible(nav, `the signed-in layout on ${label}`);
  } else {
    assert.equal(await nav.count(), 0, `${label}: signed out, yet the main navigation`);
    assert.equal(await page.locator('form[action="/signout"]').count(), 0, `${label}: signed out, yet a sign-out form`);
  }
  const body = await page.locator('body').innerText();
  assert.doesNotMatch(body, /Cannot parse|Failed to deserialize|Length limit exceeded|Expected request with/i, `${label}: framework text`);
  await checkA11y(page, label);
  await screenshot(page, label);
}

for (const [device, newContext] of [
  ['phone', newPhoneContext],
  ['desktop', newDesktopContext],
]) {
  test(`error pages keep the layout and the way to help (${device})`, async () => {
    const context = await newContext(browser);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();

    let response = await page.goto(`${server.url}/no-such-page`);
    assert.equal(response.status(), 404);
    await checkErrorPage(page, `errors-404-signed-out-${device}`, { signedIn: false });

    await createAccount(page, newAccount(`errors-${device}`));
    response = await page.goto(`${server.url}/no-such-page`);
    assert.equal(response.status(), 404);
    await checkErrorPage(page, `errors-404-signed-in-${device}`, { signedIn: true });

    response = await page.goto(`${server.url}/journal/abc/edit`);
    assert.ok([400, 404].includes(response.status()), `a bad id answered ${response.status()}`);
    await checkErrorPage(page, `errors-bad-id-${device}`, { signedIn: true });

    // A journal entry far beyond what a form may carry: the browser posts it for real.
    await page.goto(`${server.url}/journal`);
    const posted = page.waitForResponse((r) => r.url().endsWith('/journal') && r.request().method() === 'POST');
    await page.evaluate(() => {
      const form = document.querySelector('form[method="post"] textarea')?.closest('form');
      const area = form.querySelector('textarea');
      // A hidden field carries the text: laying out megabytes in a textarea is slow.
      const big = document.createElement('input');
      big.type = 'hidden';
      big.name = area.name;
      big.value = 'x'.repeat(3 * 1024 * 1024);
      area.removeAttribute('name');
      form.append(big);
      form.submit();
    });
    assert.equal((await posted).status(), 413);
    await page.waitForLoadState('domcontentloaded');
    await visible(page.getByRole('heading', { level: 1 }), 'a heading on the too-large page');
    await checkErrorPage(page, `errors-too-large-${device}`, { signedIn: true });

    await context.close();
  });
}

test('a paused sign-in says when to try again, and that the account is not locked', async () => {
  const context = await newPhoneContext(browser);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const account = newAccount('paused');
  await createAccount(page, account);
  await signOut(page);
  let status = 0;
  for (let i = 0; i < 8 && status !== 429; i += 1) {
    await page.goto(`${server.url}/signin`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(account.email);
    await page.getByLabel('Password').fill('not the password at all');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    status = response.status();
  }
  assert.equal(status, 429, 'repeated wrong passwords were never paused');
  await visible(page.getByText(/not locked/i), 'the words "not locked"');
  await checkErrorPage(page, 'errors-sign-in-paused-phone', { signedIn: false });
  await context.close();
});

test('a request for another host gets 421 with a link to the right address', async () => {
  const other = await startServer({ name: 'errors-host', env: { BETWEEN_PUBLIC_URL: 'http://between.test' } });
  try {
    const context = await newDesktopContext(browser);
    const page = await context.newPage();
    const response = await page.goto(`${other.url}/`);
    assert.equal(response.status(), 421);
    await visible(page.locator('a[href^="http://between.test/"]'), 'a link to the public address');
    await checkA11y(page, 'errors-wrong-host');
    await screenshot(page, 'errors-wrong-host-desktop');
    await context.close();
  } finally {
    await other.stop();
  }
});
