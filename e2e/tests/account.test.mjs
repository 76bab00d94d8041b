// Settings → Account and Settings → API tokens in a real browser: a password changed on one
// device signs the other device out on its next page load while this one stays signed in;
// a wrong current password is refused kindly; a token is made, shown once, and revoked; and
// every one of these pages is clean for axe on a 390 px phone and a 1280 px screen.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SCREENSHOT_DIR, checkA11y, fullPageShot, launchBrowser, newDesktopContext, newPhoneContext } from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

// Screenshots for people to look at (gitignored), or wherever BETWEEN_ACCOUNT_SHOTS says.
const SHOTS = process.env.BETWEEN_ACCOUNT_SHOTS || SCREENSHOT_DIR;

let server;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ name: 'account', args: ['--open-signup'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function shot(page, name) {
  await fullPageShot(page, path.join(SHOTS, `${name}.png`));
}

async function signUp(page, account) {
  await page.goto(`${server.url}/signup`);
  await fillSignup(page, account);
  await signup.submit(page).click();
  await expectHome(page);
}

async function signIn(page, email, password) {
  await page.goto(`${server.url}/signin`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('changing the password on one device signs the other out on its next page load', async () => {
  const account = newAccount('acct');
  const phone = await newPhoneContext(browser);
  const laptop = await newDesktopContext(browser);
  try {
    const p = await phone.newPage();
    const l = await laptop.newPage();
    await signUp(p, account);
    await signIn(l, account.email, account.password);
    await expectHome(l);

    // From Settings to the account page, on the phone.
    await p.goto(`${server.url}/settings`);
    await p.getByRole('link', { name: 'Password and signed-in devices' }).click();
    await visible(p.getByRole('heading', { name: 'Your account', level: 1 }), 'the account page');
    const devices = p.locator('li.device');
    assert.equal(await devices.count(), 2, 'both devices are listed');
    await visible(p.getByText('This device'), '"This device"');
    await visible(p.getByText('Chrome on Linux').first(), 'the browser family');
    await checkA11y(p, 'account page at 390 px');
    await shot(p, 'account-390');

    // A wrong current password: a kind message, the form empty again, nothing ended.
    await p.getByLabel('Your password now').fill('not my password at all');
    await p.getByLabel('New password').fill('a brand new password');
    await p.getByRole('button', { name: 'Change password' }).click();
    await visible(p.getByRole('alert').getByText("That isn't the password you use now"), 'the wrong-password message');
    assert.equal(await p.getByLabel('Your password now').inputValue(), '');
    assert.equal(await p.getByLabel('New password').inputValue(), '');
    await checkA11y(p, 'account page with a wrong password at 390 px');
    await shot(p, 'account-wrong-password-390');
    await l.reload();
    await expectHome(l);

    await p.getByLabel('Your password now').fill(account.password);
    await p.getByLabel('New password').fill('a brand new password');
    await p.getByRole('button', { name: 'Change password' }).click();
    await visible(p.getByRole('status').getByText('Your password is changed'), 'the changed notice');
    assert.equal(await p.locator('li.device').count(), 1, 'only this device is left');
    await p.goto(`${server.url}/`);
    await expectHome(p);

    // The laptop's next page load is the sign-in page.
    await l.goto(`${server.url}/history`);
    await visible(l.getByRole('heading', { name: 'Sign in', level: 1 }), 'the sign-in page on the other device');
    await signIn(l, account.email, account.password);
    await visible(l.getByText("That email and password don't match an account"), 'the old password refused');
    await signIn(l, account.email, 'a brand new password');
    await expectHome(l);

    await l.goto(`${server.url}/settings/account`);
    await visible(l.getByRole('button', { name: 'Sign out everywhere else' }), 'sign out everywhere else');
    await checkA11y(l, 'account page at 1280 px');
    await shot(l, 'account-1280');
    // Signing the phone out from the laptop ends it too.
    await l.locator('li.device').filter({ hasNotText: 'This device' }).getByRole('button', { name: /Sign out/ }).click();
    await visible(l.getByText('That device is signed out.'), 'the signed-out notice');
    await p.goto(`${server.url}/`);
    await visible(p.getByRole('heading', { name: 'Sign in', level: 1 }), 'the phone signed out');
  } finally {
    await phone.close();
    await laptop.close();
  }
});

test('a token is made with a name, shown once, listed and revoked; axe is clean at both widths', async () => {
  for (const [width, newContext] of [[390, newPhoneContext], [1280, newDesktopContext]]) {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await signUp(page, newAccount(`tokens${width}`));
      await page.goto(`${server.url}/settings`);
      await page.getByRole('link', { name: 'API tokens' }).click();
      await visible(page.getByRole('heading', { name: 'API tokens', level: 1 }), 'the tokens page');
      await visible(page.getByText('You have no tokens.'), 'the empty list');
      await checkA11y(page, `tokens page at ${width} px`);

      await page.getByLabel('Name').fill('mood export');
      await page.getByRole('radio', { name: '30 days' }).check();
      await page.getByRole('button', { name: 'Make the token' }).click();
      const secret = await page.getByLabel('The token').inputValue();
      assert.match(secret, /^btw_[0-9a-f]{32}$/);
      await visible(page.getByText('it is shown only this once'), 'the shown-once warning');
      await checkA11y(page, `tokens page with a new token at ${width} px`);
      await shot(page, `tokens-new-${width}`);

      // It works on the API, and reloading the list never shows it again.
      const api = await page.request.get(`${server.url}/api/v1/checkins`, {
        headers: { Authorization: `Bearer ${secret}` },
      });
      assert.equal(api.status(), 200);
      await page.goto(`${server.url}/settings/tokens`);
      assert.equal(await page.getByLabel('The token').count(), 0);
      assert.ok(!(await page.content()).includes(secret));
      const item = page.locator('li.token').filter({ hasText: 'mood export' });
      await visible(item.getByText('Last used'), 'last used');

      // The same name again is refused, keeping what was typed.
      await page.getByLabel('Name').fill('mood export');
      await page.getByRole('button', { name: 'Make the token' }).click();
      await visible(page.getByRole('alert').getByText('You already have a token called'), 'the taken-name message');
      assert.equal(await page.getByLabel('Name').inputValue(), 'mood export');
      await checkA11y(page, `tokens page with a taken name at ${width} px`);

      await item.getByRole('link', { name: /Revoke/ }).click();
      await visible(page.getByRole('heading', { name: /Revoke/ }), 'the confirmation');
      await checkA11y(page, `revoke confirmation at ${width} px`);
      await shot(page, `tokens-revoke-${width}`);
      await page.getByRole('button', { name: 'Revoke the token' }).click();
      await visible(page.getByText('The token is revoked.'), 'the revoked notice');
      await shot(page, `tokens-${width}`);
      const refused = await page.request.get(`${server.url}/api/v1/checkins`, {
        headers: { Authorization: `Bearer ${secret}` },
      });
      assert.equal(refused.status(), 401);
      assert.equal((await refused.json()).error.code, 'unauthenticated');
    } finally {
      await context.close();
    }
  }
});
