// The heart of the product, walked in a browser: after a session, a couple of low days are
// "the usual post-session dip"; when the low days go on, the home page says it is time to
// reach out, and the drafted message names the session and the number of days.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { createAccount, newAccount, openFromNav, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const TZ = 'Europe/London';
const DAY = 24 * 60 * 60 * 1000;

let server;
let browser;
let context;
let page;

before(async () => {
  server = await startServer({ name: 'guidance' });
  browser = await launchBrowser();
  // The browser's zone becomes the account's zone at sign-up; pin it so days are certain.
  context = await newPhoneContext(browser, { timezoneId: TZ });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** YYYY-MM-DD of `ms` in the account's zone. */
function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** "Friday 20 November" of `ms` in the account's zone, as the drafted message writes it. */
function longDay(ms) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, weekday: 'long', day: 'numeric', month: 'long' }).formatToParts(ms);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('weekday')} ${get('day')} ${get('month')}`;
}

/** A low check-in `daysAgo` days back, through the JSON API with the browser's session. */
async function lowDay(daysAgo) {
  const res = await page.request.post(`${server.url}/api/v1/checkins`, {
    data: { client_id: randomUUID(), mood: 3, self_harm_thoughts: false, at: new Date(Date.now() - daysAgo * DAY).toISOString() },
  });
  assert.equal(res.status(), 201, await res.text());
}

test('a post-session dip, then low days that persist, then a drafted message', async () => {
  const account = newAccount('guidance');
  await createAccount(page, server.url, account);

  // Log the session four days ago through the Sessions page.
  const sessionMs = Date.now() - 4 * DAY;
  await openFromNav(page, 'Sessions');
  await page.getByLabel('Date').fill(localDate(sessionMs));
  await page.getByLabel('Time').fill('10:00');
  await page.getByRole('button', { name: 'Add session' }).click();
  await visible(page.getByText('Session added.'), 'the "Session added." notice');
  await checkA11y(page, 'sessions');

  await lowDay(3);
  await lowDay(2);
  await page.getByRole('link', { name: 'Home', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'A dip after your session' }), 'the expected-dip headline');
  await visible(page.getByText('usually passes within two or three days'), 'the normalising advice');
  await checkA11y(page, 'home (expected dip)');
  await screenshot(page, 'guidance-expected-dip');

  await lowDay(1);
  await lowDay(0);
  await page.reload();
  await visible(page.getByRole('heading', { name: 'It would be good to contact your therapist' }), 'the reach-out headline');
  await checkA11y(page, 'home (reach out)');
  await screenshot(page, 'guidance-reach-out');

  await page.getByRole('link', { name: 'Contact my therapist' }).click();
  const draft = await page.getByLabel('Message to my therapist').inputValue();
  assert.match(
    draft,
    new RegExp(`Since our session on ${longDay(sessionMs)} I have felt much lower than usual for 4 days`),
    draft,
  );
  await checkA11y(page, 'contact my therapist');
  await screenshot(page, 'guidance-contact');
});
