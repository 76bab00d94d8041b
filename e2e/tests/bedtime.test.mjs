// The bedtime routine on a phone: built from the suggestions and one step in the person's own
// words, ticked off for tonight, "Done tonight" shown with what was done, and the comparison
// waiting for enough nights; the same without JavaScript, and on a wide screen; axe throughout.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
import { expectHome, fillSignup, newAccount, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const OWN_STEP = 'Stretch for a minute, slowly';
const STILL_NEEDED = '7 more nights with your routine and 7 more nights without it still needed.';

let server;
let browser;

before(async () => {
  server = await startServer({ name: 'bedtime', args: ['--open-signup'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Signs up a new account on the sign-up page (the server lets anyone sign up). */
async function createAccount(page, baseUrl, account) {
  await page.goto(`${baseUrl}/signup`);
  await fillSignup(page, account);
  await signup.submit(page).click();
  await expectHome(page);
}

/** Builds a routine on the builder page: two suggestions, one own step, a time. */
async function buildRoutine(p) {
  await visible(p.getByRole('heading', { name: 'Your bedtime routine' }), 'the builder');
  // Saving with nothing chosen keeps the page and names the problem.
  await p.getByRole('button', { name: 'Save my routine' }).click();
  await visible(p.getByText('Please choose or write at least one thing for your routine.').first(), 'the error summary');
  await p.getByLabel('Your own step 1').fill(OWN_STEP);
  await p.getByRole('checkbox', { name: 'Put screens away' }).check();
  await p.getByRole('checkbox', { name: 'A round of slow breathing' }).check();
  await p.getByLabel('When do you want to start winding down?').fill('22:15');
  await p.getByRole('button', { name: 'Save my routine' }).click();
  await visible(p.getByText('Your routine is saved.'), 'the saved notice');
}

/** Ticks two steps of tonight's checklist and presses "Done for tonight". */
async function tickTonight(p) {
  await visible(p.getByRole('button', { name: 'Done for tonight' }), 'tonight\'s checklist');
  // Pressed with nothing ticked: asked to tick something, nothing logged.
  await p.getByRole('button', { name: 'Done for tonight' }).click();
  await visible(p.getByText('Please tick at least one thing you did tonight.').first(), 'the nothing-ticked error');
  await p.getByRole('checkbox', { name: 'Put screens away' }).check();
  await p.getByRole('checkbox', { name: OWN_STEP }).check();
  await p.getByRole('button', { name: 'Done for tonight' }).click();
  await visible(p.getByRole('heading', { name: /^Done tonight at \d\d:\d\d$/ }), '"Done tonight at HH:MM"');
  const done = p.locator('.bedtime-ticked li');
  assert.deepEqual(await done.allTextContents(), ['Put screens away', OWN_STEP]);
  assert.equal(await p.getByRole('button', { name: 'Done for tonight' }).count(), 0, 'no second log offered');
}

test('a routine is built, ticked off and shown as done on a phone', async () => {
  const context = await newPhoneContext(browser, { serviceWorkers: 'block' });
  context.setDefaultTimeout(15_000);
  const recorder = recordPages(context);
  const p = await context.newPage();
  await createAccount(p, server.url, newAccount('bedtime'));

  await p.goto(`${server.url}/toolkit`);
  await p.getByRole('link', { name: 'Bedtime routine' }).first().click();
  await p.waitForURL((url) => url.pathname === '/toolkit/bedtime-routine');
  await checkA11y(p, 'bedtime builder, first time');
  await screenshot(p, 'bedtime-01-builder-390');
  await buildRoutine(p);

  // The checklist first, then the target time, the comparison waiting, and the way to change.
  await visible(p.getByText('22:15', { exact: true }), 'the target time');
  await visible(p.getByText(STILL_NEEDED), 'the comparison\'s "still needed"');
  await visible(p.getByRole('link', { name: 'Open 4-7-8 breathing' }), 'the breathing step\'s tool');
  const order = await p.evaluate(() => {
    const y = (sel) => document.querySelector(sel).getBoundingClientRect().top;
    return [y('.bedtime-tonight'), y('.bedtime-time'), y('.bedtime-comparison')];
  });
  assert.ok(order[0] < order[1] && order[1] < order[2], `checklist, time, comparison: ${order}`);
  const button = await p.getByRole('button', { name: 'Done for tonight' }).boundingBox();
  assert.ok(button.y + button.height <= 844, 'the one action is on the first screen');
  await checkA11y(p, 'tonight\'s checklist');
  await screenshot(p, 'bedtime-02-tonight-390');

  await tickTonight(p);
  await checkA11y(p, 'done tonight');
  await screenshot(p, 'bedtime-03-done-390');

  // The use counts in the toolkit, and "What works for me" says what is still needed.
  await p.goto(`${server.url}/toolkit`);
  await visible(p.locator('.bedtime-works').getByText(/7 more nights with your routine and 7 more nights without it still needed/), 'the toolkit line');
  const uses = await (await p.request.get(`${server.url}/api/v1/coping-uses`)).json();
  assert.deepEqual(uses.coping_uses.map((u) => u.tool), ['bedtime-routine']);

  // "Change my routine" shows it filled in.
  await p.goto(`${server.url}/toolkit/bedtime-routine`);
  await p.getByRole('link', { name: 'Change my routine' }).click();
  await visible(p.getByRole('heading', { name: 'Change my routine' }), 'the builder, filled in');
  assert.equal(await p.getByRole('checkbox', { name: 'Put screens away' }).isChecked(), true);
  assert.equal(await p.getByLabel('Your own step 1').inputValue(), OWN_STEP);
  await checkA11y(p, 'change my routine');
  await assertPageHeaders(recorder);
  await context.close();
});

test('without JavaScript the routine is built and ticked off the same way', async () => {
  // Sign up with script, then use the routine with none.
  const setup = await newPhoneContext(browser, { serviceWorkers: 'block' });
  const s = await setup.newPage();
  await createAccount(s, server.url, newAccount('bedtime-nojs'));
  const plain = await newPhoneContext(browser, { javaScriptEnabled: false, serviceWorkers: 'block' });
  plain.setDefaultTimeout(15_000);
  await plain.addCookies(await setup.cookies());
  await setup.close();
  const p = await plain.newPage();
  await p.goto(`${server.url}/toolkit/bedtime-routine`);
  await buildRoutine(p);
  await visible(p.getByText(STILL_NEEDED), 'the comparison\'s "still needed"');
  await tickTonight(p);
  await screenshot(p, 'bedtime-04-done-no-js');
  await plain.close();
});

test('on a wide screen the builder and the nightly page read well and pass axe', async () => {
  const context = await newDesktopContext(browser, { serviceWorkers: 'block' });
  context.setDefaultTimeout(15_000);
  const p = await context.newPage();
  await createAccount(p, server.url, newAccount('bedtime-wide'));
  await p.goto(`${server.url}/toolkit/bedtime-routine`);
  await checkA11y(p, 'bedtime builder at 1280');
  await screenshot(p, 'bedtime-05-builder-1280');
  await buildRoutine(p);
  await checkA11y(p, 'tonight\'s checklist at 1280');
  await screenshot(p, 'bedtime-06-tonight-1280');
  await tickTonight(p);
  await checkA11y(p, 'done tonight at 1280');
  await screenshot(p, 'bedtime-07-done-1280');
  await context.close();
});

test('with 7 nights of each, the comparison shows its counts and means, and passes axe', async () => {
  // The account takes the browser's time zone at sign-up: UTC, so the nights below are plain.
  const context = await newPhoneContext(browser, { serviceWorkers: 'block', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  const p = await context.newPage();
  await createAccount(p, server.url, newAccount('bedtime-ready'));
  const api = (method, path, data) => p.request.fetch(`${server.url}${path}`, { method, data });
  let r = await api('PUT', '/api/v1/bedtime-routine', { items: ['Dim the lights'], target_time: '22:30' });
  assert.equal(r.status(), 200, await r.text());
  // Fourteen nights, every other one with the routine at 21:00 UTC, each followed by a
  // check-in at 08:00 UTC.
  const midnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const hour = 3_600_000;
  for (let k = 2; k <= 15; k++) {
    const evening = midnight - k * 24 * hour + 21 * hour;
    const withRoutine = k % 2 === 0;
    if (withRoutine) {
      r = await api('POST', '/api/v1/bedtime-routine/nights', { ticked: [0], at: new Date(evening).toISOString() });
      assert.equal(r.status(), 201, await r.text());
    }
    r = await api('POST', '/api/v1/checkins', {
      client_id: randomUUID(),
      mood: withRoutine ? 7 : 5,
      sleep_hours: withRoutine ? 8 : 6,
      at: new Date(evening + 11 * hour).toISOString(),
    });
    assert.equal(r.status(), 201, await r.text());
  }
  await p.goto(`${server.url}/toolkit/bedtime-routine`);
  await visible(
    p.getByText('On 7 nights with your routine, your mood the next day was 7.0 out of 10 on average, and you slept 8.0 hours on average.'),
    'the nights with the routine',
  );
  await visible(
    p.getByText('On 7 nights without it, your mood the next day was 5.0 out of 10 on average, and you slept 6.0 hours on average.'),
    'the nights without it',
  );
  await visible(p.getByText(/This shows what happened, not why/), 'no claim beyond the numbers');
  await checkA11y(p, 'the comparison, ready');
  await screenshot(p, 'bedtime-08-ready-390');
  await context.close();
});
