// Steps that several test files take through the real pages.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/** A fresh, recognisable account for one test file. */
export function newAccount(tag) {
  const id = randomUUID().slice(0, 8);
  return {
    email: `${tag}.${id}@example.org`,
    password: `Lantern-${id}-quiet-harbour`,
    country: 'GB',
    usualDay: '6',
  };
}

/** Waits until the locator is visible, with a message that says what was looked for. */
export async function visible(locator, what, timeout = 10_000) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (err) {
    assert.fail(`expected to see ${what}: ${err.message.split('\n')[0]}`);
  }
}

export const signup = {
  email: (page) => page.getByRole('textbox', { name: 'Email', exact: true }),
  password: (page) => page.getByLabel('Password'),
  country: (page) => page.getByLabel('Country'),
  usualDay: (page) => page.getByLabel('How does a usual day feel, from 0 (worst) to 10 (best)?'),
  submit: (page) => page.getByRole('button', { name: 'Create account' }),
};

/** Opens `/`, which sends a new visitor to the sign-up page. */
export async function openSignup(page, baseUrl) {
  await page.goto(`${baseUrl}/`);
  await visible(page.getByRole('heading', { name: 'Create your account' }), 'the "Create your account" heading');
}

export async function fillSignup(page, account) {
  await signup.email(page).fill(account.email);
  await signup.password(page).fill(account.password);
  await signup.country(page).selectOption(account.country);
  await signup.usualDay(page).fill(account.usualDay);
}

/** The home page shows a welcome heading or the "Check in" link. */
export async function expectHome(page) {
  await visible(
    page
      .getByRole('heading', { name: /welcome/i })
      .or(page.getByRole('link', { name: 'Check in', exact: true })),
    'the home page (a "Welcome" heading or a "Check in" link)',
  );
}

export async function createAccount(page, baseUrl, account) {
  await openSignup(page, baseUrl);
  await fillSignup(page, account);
  await signup.submit(page).click();
  await expectHome(page);
}

/** The session cookie: `sid` over plain http (`__Host-sid` needs TLS). */
export async function sessionCookie(context) {
  const cookies = await context.cookies();
  return cookies.find((c) => c.name === 'sid' || c.name === '__Host-sid');
}

/**
 * Follows a place in the main navigation. On a wide screen every place is in the side
 * navigation; on a phone the bottom bar has five, and the rest are on the "More" page.
 */
export async function openFromNav(page, name) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const link = nav.getByRole('link', { name, exact: true });
  if (await link.isVisible()) {
    await link.click();
    return;
  }
  await nav.getByRole('link', { name: 'More', exact: true }).click();
  await page.getByRole('main').getByRole('link', { name, exact: true }).click();
}

/** Signs out from the side navigation, or on a phone from the "More" page. */
export async function signOut(page) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const button = nav.getByRole('button', { name: 'Sign out' });
  if (await button.isVisible()) {
    await button.click();
    return;
  }
  await nav.getByRole('link', { name: 'More', exact: true }).click();
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
}
