// An account an operator made with `between user add` is welcomed after its first sign-in
// (country with nothing preselected, time zone from the browser), and "Get help now" then
// shows that country's lines; deleting an account ends it for good and says goodbye with help
// still offered. axe is clean on the welcome, delete and goodbye pages on a phone and a
// wide screen.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { checkA11y, fullPageShot, launchBrowser, newDesktopContext, newPhoneContext } from '../lib/browser.mjs';
import { createAccount, expectHome, fillSignup, newAccount, signup, visible } from '../lib/flows.mjs';
import { binaryPath, startServer } from '../lib/server.mjs';

let server;
let browser;
// Pictures for a person to look at, kept out of the repository.
const SHOTS = process.env.BETWEEN_SHOTS_DIR;

before(async () => {
  // Open sign-up: the deletion test makes accounts after the first one.
  server = await startServer({ name: 'onboarding-delete', args: ['--open-signup'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** `between user add EMAIL [flags]` on the running server's data, as an operator would. */
function addUser(account, flags = []) {
  execFileSync(binaryPath(), ['--data-dir', server.dataDir, 'user', 'add', account.email, ...flags], {
    input: `${account.password}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

async function signIn(page, account) {
  await page.goto(`${server.url}/signin`);
  await page.getByRole('textbox', { name: 'Email' }).fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function shot(page, name) {
  if (SHOTS) await fullPageShot(page, `${SHOTS}/${name}.png`);
}

test('an account made by the operator is welcomed, and help shows the chosen country', async () => {
  // Someone signed up first, so the server is not a fresh install.
  const first = newAccount('first');
  const setup = await newPhoneContext(browser);
  await createAccount(await setup.newPage(), server.url, first);
  await setup.close();

  const sam = newAccount('welcome');
  addUser(sam);
  for (const [label, makeContext] of [
    ['phone', newPhoneContext],
    ['desktop', newDesktopContext],
  ]) {
    const context = await makeContext(browser, { timezoneId: 'America/Chicago' });
    const page = await context.newPage();
    await signIn(page, sam);
    await page.waitForURL((url) => url.pathname === '/welcome');
    await visible(page.getByRole('heading', { name: 'Welcome to Between' }), 'the welcome page');
    const country = page.getByLabel('Which country are you in?');
    assert.equal(await country.inputValue(), '', 'no country is chosen for the person');
    assert.equal(
      await country.locator('option').first().textContent(),
      'Choose…',
      '"Choose…" comes first',
    );
    // The browser's own zone, filled in by the page's script; still editable.
    assert.equal(await page.getByLabel('Your time zone').inputValue(), 'America/Chicago');
    await checkA11y(page, `welcome (${label})`);
    await shot(page, `welcome-${label}`);
    if (label === 'phone') {
      // "Not now" lets the person straight in.
      await page.getByRole('link', { name: 'Not now' }).click();
      await page.waitForURL((url) => url.pathname === '/');
    } else {
      await country.selectOption('US');
      await page.getByRole('button', { name: 'Save and start' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      await page.goto(`${server.url}/help`);
      await visible(page.getByRole('heading', { name: 'Talk to someone in United States' }), 'the US lines');
      assert.ok(await page.locator('a[href="tel:988"]').count(), '988 is offered');
    }
    await context.close();
  }
  // Answered once: the next sign-in goes straight home.
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  await signIn(page, sam);
  await page.waitForURL((url) => url.pathname === '/');
  await context.close();
});

test('help asks a person without a country for it first', async () => {
  const kim = newAccount('nocountry');
  addUser(kim);
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  await signIn(page, kim);
  await page.waitForURL((url) => url.pathname === '/welcome');
  await page.goto(`${server.url}/help`);
  const ask = page.getByLabel('Which country are you in?');
  await visible(ask, 'the country question on Get help now');
  // Meanwhile the international fallback is there.
  assert.ok(await page.locator('a[href="tel:112"]').count(), '112 while no country is chosen');
  await ask.selectOption('GB');
  await page.getByRole('button', { name: 'Show my lines' }).click();
  await visible(page.getByRole('heading', { name: 'Talk to someone in United Kingdom' }), 'the UK lines');
  assert.equal(await page.getByLabel('Which country are you in?').count(), 0, 'asked no more');
  await context.close();
});

test('deleting an account ends it, says goodbye and still offers help', async () => {
  for (const [label, makeContext] of [
    ['phone', newPhoneContext],
    ['desktop', newDesktopContext],
  ]) {
    const account = newAccount(`leaver-${label}`);
    const context = await makeContext(browser);
    const page = await context.newPage();
    // Not the first account: straight to the (open) sign-up page.
    await page.goto(`${server.url}/signup`);
    await fillSignup(page, account);
    await signup.submit(page).click();
    await expectHome(page);
    await page.goto(`${server.url}/settings`);
    await page.getByRole('link', { name: 'Delete my account…' }).click();
    await visible(page.getByRole('heading', { name: 'Delete my account', level: 1 }), 'the delete page');
    await checkA11y(page, `delete account (${label})`);
    await shot(page, `delete-${label}`);

    // A wrong password deletes nothing and says so kindly.
    await page.getByLabel('Your password').fill('not the password at all');
    await page.getByLabel(/I understand/).check();
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await visible(page.getByText('That password isn\'t right, so nothing was deleted').first(), 'the wrong-password message');
    await checkA11y(page, `delete account, wrong password (${label})`);

    await page.getByLabel('Your password').fill(account.password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL((url) => url.pathname === '/goodbye');
    await visible(page.getByRole('heading', { name: 'Your account is deleted' }), 'the goodbye page');
    await visible(page.locator('main').getByRole('link', { name: 'Get help now' }), 'Get help now on the goodbye page');
    assert.ok(await page.locator('main a[href="tel:999"]').count(), 'the UK emergency number');
    await checkA11y(page, `goodbye (${label})`);
    await shot(page, `goodbye-${label}`);

    // Signed out, and the account is gone: signing in again fails.
    await page.goto(`${server.url}/`);
    assert.notEqual(new URL(page.url()).pathname, '/', 'no longer signed in');
    await signIn(page, account);
    await visible(page.getByText('That email and password don\'t match an account'), 'sign-in refused');
    await context.close();
  }
});
