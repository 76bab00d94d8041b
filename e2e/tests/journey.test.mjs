// The main journey on a phone: sign up, check in, see it in history, sign out, sign in;
// the safety question on a very low mood; and nothing personal ever reaches the log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertPageHeaders,
  checkA11y,
  launchBrowser,
  newPhoneContext,
  recordPages,
  screenshot,
} from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, openFromNav, openSignup, sessionCookie, signOut, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const NOTE = 'ZEBRA-NOTE-4471 felt heavy after Tuesday';
const SAFETY_NOTE = 'OKAPI-NOTE-9038 could not get up today';
const SAFETY_QUESTION = 'Have you had thoughts of harming yourself or ending your life?';

let server;
let browser;
let context;
let recorder;
let page;
const account = newAccount('journey');
const sessionValues = new Set();

before(async () => {
  server = await startServer({ name: 'journey' });
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

async function rememberSession() {
  const cookie = await sessionCookie(context);
  assert.ok(cookie, `no session cookie (sid) after signing in; cookies: ${JSON.stringify(await context.cookies())}`);
  sessionValues.add(cookie.value);
  return cookie;
}

const group = (name) => page.getByRole('group', { name });
const radio = (groupName, name) => group(groupName).getByRole('radio', { name, exact: true });

async function openCheckin() {
  await page.getByRole('link', { name: 'Check in', exact: true }).first().click();
  await visible(group('Mood'), 'the "Mood" group on the check-in page');
}

test('sign up, with a kind error for a short password', async () => {
  await openSignup(page, server.url);
  await checkA11y(page, 'sign-up');
  await screenshot(page, 'journey-01-signup');

  await fillSignup(page, { ...account, password: 'short' });
  await signup.submit(page).click();
  await page.waitForLoadState('domcontentloaded');
  await visible(
    page.getByText(/(at least \d+|too short|characters|longer)/i),
    'an error message about the short password',
  );
  assert.equal(await signup.email(page).inputValue(), account.email, 'the Email field keeps what was typed');
  await checkA11y(page, 'sign-up with an error');
  await screenshot(page, 'journey-02-signup-error');

  await fillSignup(page, account);
  await signup.submit(page).click();
  await expectHome(page);
  await rememberSession();
  await checkA11y(page, 'home');
  await screenshot(page, 'journey-03-home');
});

test('daily check-in, then history shows it', async () => {
  await openCheckin();
  await checkA11y(page, 'check-in');
  await radio('Mood', '3').check();
  await radio('Anxiety', '6').check();
  await radio('Energy', '4').check();
  await page.getByRole('checkbox', { name: 'Fatigue' }).check();
  await radio('Did you manage your usual day?', 'Partly').check();
  await page.getByLabel('Note (optional)').fill(NOTE);
  await screenshot(page, 'journey-04-checkin-filled');
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await visible(page.getByRole('status').filter({ hasText: /saved/i }), 'a status saying the check-in was saved');
  await checkA11y(page, 'check-in saved');
  await screenshot(page, 'journey-05-checkin-saved');

  await openFromNav(page, 'History');
  await visible(page.getByText(/Mood:?\s*3(?!\d)/), '"Mood 3" in the history');
  const chart = page.getByRole('img', { name: /mood/i });
  await visible(chart, 'a chart (role img) whose name mentions Mood');
  assert.equal(await chart.first().evaluate((el) => el.tagName.toLowerCase()), 'svg', 'the mood chart is an svg');
  await checkA11y(page, 'history');
  await screenshot(page, 'journey-06-history');
});

test('sign out and sign in again', async () => {
  await signOut(page);
  await visible(page.getByRole('button', { name: 'Sign in' }), 'the sign-in page');
  assert.equal(await sessionCookie(context), undefined, 'signing out removes the session cookie');
  await checkA11y(page, 'sign-in');
  await screenshot(page, 'journey-07-signin');

  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectHome(page);
  await rememberSession();
});

test('a very low mood asks the safety question, and "Yes" leads to help', async () => {
  await openCheckin();
  await radio('Mood', '1').check();
  await page.getByLabel('Note (optional)').fill(SAFETY_NOTE);

  // Asked as soon as the very low mood is chosen, before saving; answering is never required
  // (checkin-quick.test.mjs pins that an unanswered or "rather not say" check-in saves).
  const question = group(SAFETY_QUESTION);
  await visible(question, `the safety question "${SAFETY_QUESTION}"`);
  await visible(question.getByRole('radio', { name: 'No', exact: true }), 'a "No" answer');
  await visible(question.getByRole('radio', { name: 'Yes', exact: true }), 'a "Yes" answer');
  await visible(question.getByRole('radio', { name: "I'd rather not say", exact: true }), 'an "I\'d rather not say" answer');
  await checkA11y(page, 'check-in asking the safety question');
  await screenshot(page, 'journey-08-safety-question');

  await question.getByRole('radio', { name: 'Yes', exact: true }).check();
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await page.waitForURL((url) => url.pathname === '/help');
  await visible(page.getByRole('heading', { name: 'Get help now' }), 'the "Get help now" page');
  await checkA11y(page, 'help after "Yes"');
  await screenshot(page, 'journey-09-help-after-yes');
});

test('security headers on every page of the journey', async () => {
  const { checked, signedIn } = await assertPageHeaders(recorder);
  assert.ok(signedIn >= 4, `signed-in pages were among those checked (${signedIn})`);
  console.log(`checked security headers on ${checked} page responses, ${signedIn} of them signed in`);
});

test('the server log holds nothing personal', async () => {
  const cookie = await sessionCookie(context);
  if (cookie) sessionValues.add(cookie.value);
  await server.stop();
  // Colour codes would hide a value from the checks (or fake a digit after "mood").
  const log = server.log().replace(/\x1b\[[0-9;]*m/g, '');
  const lines = log.split('\n').filter((l) => l.length > 0);
  assert.ok(lines.length > 0, 'the server logged nothing at all (RUST_LOG=debug)');

  const secrets = [
    ['the check-in note', NOTE],
    ['the note typed with the safety question', SAFETY_NOTE],
    ['the password', account.password],
    ['the email address', account.email],
    ...[...sessionValues].map((v) => ['a session cookie value', v]),
  ];
  const found = [];
  for (const [what, value] of secrets) {
    const line = lines.find((l) => l.includes(value));
    if (line) found.push(`${what} appears in: ${line}`);
  }
  for (const line of lines) {
    if (/mood\W{0,3}\d/i.test(line)) found.push(`a mood rating appears in: ${line}`);
  }
  console.log(`checked ${lines.length} server log lines`);
  assert.deepEqual(found, [], 'personal data in the server log');
});
