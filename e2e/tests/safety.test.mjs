// The safety net in a browser: a safety plan written in the person's own words is shown
// first after a "yes" to the safety question; "Get help now" and the breathing exercises work
// with the network cut; the plan works offline only when the person chose to keep it on the
// device; and signing out removes that copy.
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
import { createAccount, newAccount, signOut, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const WARNING_SIGN = 'Lying awake after 3am';
const ON_MY_OWN = 'Cold water on my wrists';
const HELPER = 'Jo (sister)';
const HELPER_PHONE = '07700 900123';
const REASON = 'Walking Miso by the river';

let server;
let browser;
let context;
let recorder;
let page;
const account = newAccount('safety');

before(async () => {
  server = await startServer({ name: 'safety' });
  browser = await launchBrowser();
  context = await newPhoneContext(browser, { timezoneId: 'Europe/London', serviceWorkers: 'allow' });
  context.setDefaultTimeout(15_000);
  recorder = recordPages(context);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A radio button in a named group. */
function radio(group, name) {
  return page.getByRole('group', { name: group }).getByRole('radio', { name, exact: true });
}

/** Waits until the page's offline script has registered the worker and it has the pages. */
async function offlineReady() {
  await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, { timeout: 30_000 });
}

/** What the plan cache holds, as the page sees it. */
async function planCached() {
  return page.evaluate(async () => Boolean(await caches.match('/safety-plan', { cacheName: 'between-plan' })));
}

/** How many requests for `path` (its path part; the log never holds queries) the server has logged. */
function served(path) {
  const pathname = new URL(path, 'http://x').pathname;
  const log = server.log().replace(/\x1b\[[0-9;]*m/g, '');
  return log.split('\n').filter((l) => / request /.test(l) && l.includes(` path=${pathname} `)).length;
}

/** Opens `path` with the network cut and returns the response. */
async function gotoOffline(path) {
  const before = served(path);
  const response = await page.goto(`${server.url}${path}`);
  assert.equal(served(path), before, `${path} must not reach the server while offline`);
  return response;
}

test('fill the safety plan, then a yes to the safety question shows it first', async () => {
  await createAccount(page, server.url, account);
  await page.locator('nav').getByRole('link', { name: 'Safety plan' }).click();
  await visible(page.getByRole('heading', { name: 'My safety plan', level: 1 }), 'the safety plan page');
  await visible(page.locator('a[href="tel:116123"]'), 'the Samaritans in step 5 before anything is written');
  await checkA11y(page, '/safety-plan (empty)');
  await screenshot(page, 'safety-01-empty');

  await page.getByRole('link', { name: 'Make my safety plan' }).click();
  await visible(page.getByRole('heading', { name: 'Make my safety plan' }), 'the form');
  await checkA11y(page, '/safety-plan/edit (new)');
  await page.getByLabel(/Warning signs/).fill(`${WARNING_SIGN}\nSkipping meals`);
  await page.getByLabel(/Things I can do on my own/).fill(`Box breathing\n${ON_MY_OWN}`);
  await page.getByLabel(/People and places that take my mind off things/).fill('The library café');
  await page.getByLabel('Name (person 1)').fill(HELPER);
  await page.getByLabel('Phone number (person 1)').fill(HELPER_PHONE);
  await page.getByLabel(/Making my surroundings safer/).fill('Give the spare tablets to Jo');
  await page.getByLabel('My reasons for living').fill(REASON);
  await page.getByLabel('Made with my therapist on').fill('2026-03-10');
  await screenshot(page, 'safety-02-edit');
  await page.getByRole('button', { name: 'Save my safety plan' }).click();

  await visible(page.getByText('Your safety plan is saved.'), 'the saved notice');
  assert.ok(!page.url().includes('Jo') && !page.url().includes('3am'), 'no plan text in the address');
  await visible(page.getByText(WARNING_SIGN), 'the warning sign as typed');
  await visible(page.getByText('Made with my therapist on 10 March 2026.'), 'the date made with the therapist');
  const call = page.getByRole('link', { name: `Call ${HELPER}` });
  assert.equal(await call.getAttribute('href'), 'tel:07700900123');
  assert.equal(await page.getByRole('link', { name: `Text ${HELPER}` }).getAttribute('href'), 'sms:07700900123');
  await checkA11y(page, '/safety-plan (filled)');
  await screenshot(page, 'safety-03-plan');

  // Printed, the plan keeps its words and numbers and drops the controls.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByRole('link', { name: 'Edit my plan' }).isVisible(), false, 'no edit button on paper');
  assert.equal(await page.locator('nav').isVisible(), false, 'no navigation on paper');
  assert.equal(await page.getByRole('heading', { name: 'Keep my safety plan on this device' }).isVisible(), false);
  assert.ok(await page.getByText(WARNING_SIGN).isVisible(), 'the plan itself is printed');
  assert.ok(await page.getByText(HELPER_PHONE).isVisible(), 'phone numbers are printed');
  await screenshot(page, 'safety-03b-print');
  await page.emulateMedia({ media: 'screen' });

  // A second save makes a second version; the first stays readable.
  await page.getByRole('link', { name: 'Edit my plan' }).click();
  await checkA11y(page, '/safety-plan/edit (existing)');
  await page.getByLabel('My reasons for living').fill(`${REASON}\nSeeing the sea again`);
  await page.getByRole('button', { name: 'Save my safety plan' }).click();
  await visible(page.getByText('Seeing the sea again'), 'the new reason');
  await page.getByRole('link', { name: 'Earlier versions' }).click();
  await visible(page.getByText('Changed: My reasons for living.'), 'what changed in version 2');
  await checkA11y(page, '/safety-plan/history');
  await screenshot(page, 'safety-04-history');
  await page.getByRole('link', { name: 'Read version 1' }).click();
  await visible(page.getByText('It is not your current plan.'), 'the old-version banner');
  assert.equal(await page.getByText('Seeing the sea again').count(), 0, 'version 1 is as it was');
  await checkA11y(page, '/safety-plan/history/1');

  // A very low check-in, then "yes" to the safety question.
  await page.locator('nav').getByRole('link', { name: 'Check in' }).click();
  await radio('Mood', '1').check();
  // The question shows as soon as the very low mood is chosen.
  const question = page.getByRole('group', { name: /thoughts of harming yourself/ });
  await visible(question, 'the safety question');
  await question.getByRole('radio', { name: 'Yes', exact: true }).check();
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await page.waitForURL((url) => url.pathname === '/help');
  const plan = page.getByRole('region', { name: 'My safety plan' });
  await visible(plan, 'the safety plan on the help page');
  await visible(plan.getByText(ON_MY_OWN), 'the plan’s own words');
  const order = await page.evaluate(() => {
    const planAt = document.querySelector('.plan-first');
    const emergencyAt = document.querySelector('.emergency');
    return Boolean(planAt.compareDocumentPosition(emergencyAt) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(order, 'the plan comes before the emergency numbers');
  assert.equal(await plan.getByRole('link', { name: `Call ${HELPER}` }).getAttribute('href'), 'tel:07700900123');
  await checkA11y(page, '/help?from=checkin with a plan');
  await screenshot(page, 'safety-05-help-plan-first');

  await page.locator('header').getByRole('link', { name: 'Between' }).click();
  const urgent = page.getByRole('region', { name: 'Please get support now' });
  await visible(urgent.getByText(REASON), 'the plan in the urgent card');
  const first = await page.evaluate(() => {
    const main = document.querySelector('main');
    const firstCard = main.querySelector('section');
    const plan = firstCard.querySelector('.plan-summary');
    const call = firstCard.querySelector('a[href="tel:999"]');
    return { urgentFirst: firstCard.classList.contains('emergency'), callBeforePlan: Boolean(plan && call.compareDocumentPosition(plan) & Node.DOCUMENT_POSITION_FOLLOWING) };
  });
  // The numbers open the card and the plan follows: a plan is taller than a phone screen.
  assert.deepEqual(first, { urgentFirst: true, callBeforePlan: true });
  await checkA11y(page, 'home (urgent, with a plan)');
  await screenshot(page, 'safety-06-home-urgent');
});

test('the backsliding plan', async () => {
  await page.goto(`${server.url}/backsliding-plan`);
  await checkA11y(page, '/backsliding-plan (empty)');
  await page.getByRole('link', { name: 'Make my backsliding plan' }).click();
  await checkA11y(page, '/backsliding-plan/edit');
  await page.getByLabel('Early warning signs').fill('Cancelling on friends');
  await page.getByRole('checkbox', { name: 'Moving home' }).check();
  await page.getByLabel('Others, in my own words').fill('Exams in May');
  await page.getByLabel('Coping skills that worked before').fill('Walk after lunch');
  await page.getByLabel('Small next steps').fill('Text Ali tonight');
  await page.getByLabel('My goal').fill('Sleep before midnight most nights');
  await page.getByLabel('Name (person 1)').fill('Ali');
  await page.getByLabel('Phone number (person 1)').fill('+44 7700 900456');
  await page.getByLabel('I have made changes before').fill('Went back to work after the winter');
  await page.getByLabel('What I will put in place so this is less likely next time').fill('Keep Sunday evenings free');
  await screenshot(page, 'safety-07-backsliding-edit');
  await page.getByRole('button', { name: 'Save my backsliding plan' }).click();
  await visible(page.getByText('Your backsliding plan is saved.'), 'the saved notice');
  await visible(page.getByText('Moving home'), 'the ticked stressor');
  assert.equal(await page.getByRole('link', { name: 'Call Ali' }).getAttribute('href'), 'tel:+447700900456');
  await checkA11y(page, '/backsliding-plan');
  await screenshot(page, 'safety-08-backsliding');
  await page.getByRole('link', { name: 'Earlier versions' }).click();
  await checkA11y(page, '/backsliding-plan/history');
  await page.getByRole('link', { name: 'Read version 1' }).click();
  await checkA11y(page, '/backsliding-plan/history/1');
});

test('with the network cut, help and box breathing work, and the plan only when kept', async () => {
  await page.goto(`${server.url}/`);
  await offlineReady();
  assert.equal(await planCached(), false, 'nothing of the plan is stored before the person chooses');

  await context.setOffline(true);
  try {
    let response = await gotoOffline('/help');
    assert.ok(response.fromServiceWorker(), '/help came from the service worker');
    await visible(page.getByRole('heading', { name: 'Get help now' }), '"Get help now" offline');
    await visible(page.locator('a[href="tel:116123"]'), 'the UK line (the account’s country) offline');
    await visible(page.locator('a[href="tel:999"]'), 'the UK emergency number offline');
    await checkA11y(page, '/help offline');
    await screenshot(page, 'safety-09-help-offline');

    await gotoOffline('/help?country=US');
    await visible(page.getByRole('heading', { name: 'Get help now' }), '"Get help now" for another country falls back');

    await gotoOffline('/toolkit/box-breathing');
    await visible(page.getByRole('heading', { name: /Box breathing/ }), 'box breathing offline');
    await checkA11y(page, '/toolkit/box-breathing offline');
    await screenshot(page, 'safety-10-box-breathing-offline');

    await gotoOffline('/safety-plan');
    await visible(page.getByRole('heading', { name: 'You are offline' }), 'the offline page instead of the plan');
    assert.equal(await page.getByText(WARNING_SIGN).count(), 0, 'the plan is not on the device');
    await checkA11y(page, '/offline (served for the plan)');
    await screenshot(page, 'safety-11-offline-page');

    await gotoOffline('/history');
    await visible(page.getByRole('heading', { name: 'You are offline' }), 'the offline page for history');
  } finally {
    await context.setOffline(false);
  }

  // The person chooses to keep the plan on this device.
  await page.goto(`${server.url}/safety-plan`);
  await page.getByRole('button', { name: 'Keep it on this device' }).click();
  await visible(page.getByText('Your safety plan is now kept on this device.'), 'the kept notice');
  await offlineReady();
  await visible(page.getByText('It is ready to open without a connection.'), 'the ready note');
  assert.equal(await planCached(), true, 'the plan is stored after the person chose it');
  await checkA11y(page, '/safety-plan (kept offline)');
  await screenshot(page, 'safety-12-kept-on-device');

  await context.setOffline(true);
  try {
    await gotoOffline('/safety-plan');
    await visible(page.getByText(WARNING_SIGN), 'the plan offline');
    await visible(page.locator('a[href="tel:07700900123"]'), 'the call link offline');
    await screenshot(page, 'safety-13-plan-offline');
    await gotoOffline('/offline');
    await visible(page.getByRole('link', { name: 'My safety plan' }), 'the offline page links to the kept plan');
  } finally {
    await context.setOffline(false);
  }

  // Turning it off removes the copy.
  await page.goto(`${server.url}/safety-plan`);
  await page.getByRole('button', { name: 'Remove it from this device' }).click();
  await visible(page.getByText('Your safety plan is no longer kept on this device.'), 'the removed notice');
  await offlineReady();
  assert.equal(await planCached(), false, 'turning it off removes the plan from the device');
  await context.setOffline(true);
  try {
    await gotoOffline('/safety-plan');
    await visible(page.getByRole('heading', { name: 'You are offline' }), 'no plan offline after turning it off');
  } finally {
    await context.setOffline(false);
  }
});

test('signing out removes the offline copy of the plan', async () => {
  await page.goto(`${server.url}/safety-plan`);
  await page.getByRole('button', { name: 'Keep it on this device' }).click();
  await offlineReady();
  assert.equal(await planCached(), true);

  // A cache none of our scripts know about: only the browser, told by Clear-Site-Data, removes it.
  await page.evaluate(async () => (await caches.open('probe')).put('/probe', new Response('x')));

  await signOut(page);
  await page.waitForURL((url) => url.pathname === '/signin');
  await offlineReady();
  assert.equal(await planCached(), false, 'sign-out removed the plan from the device');
  assert.ok(!(await page.evaluate(() => caches.has('probe'))), 'Clear-Site-Data emptied the site’s storage');
  const personal = await page.evaluate(async () => {
    const pages = await caches.open('between-pages');
    return (await pages.keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(!personal.some((p) => p.startsWith('/toolkit')), `signed out, no signed-in toolkit pages stay: ${personal}`);

  await context.setOffline(true);
  try {
    await gotoOffline('/safety-plan');
    await visible(page.getByRole('heading', { name: 'You are offline' }), 'no plan offline after signing out');
    assert.equal(await page.getByText(WARNING_SIGN).count(), 0);
    await gotoOffline('/help');
    await visible(page.getByRole('heading', { name: 'Get help now' }), '"Get help now" still works offline when signed out');
  } finally {
    await context.setOffline(false);
  }
});

test('the manifest makes the app installable', async () => {
  const res = await page.request.get(`${server.url}/manifest.webmanifest`);
  assert.equal(res.status(), 200);
  const manifest = await res.json();
  assert.equal(manifest.display, 'standalone');
  for (const icon of manifest.icons) {
    const r = await page.request.get(`${server.url}${icon.src}`);
    assert.equal(r.status(), 200, icon.src);
  }
  const link = await page.locator('link[rel="manifest"]').getAttribute('href');
  assert.equal(link, '/manifest.webmanifest');
});

test('security headers on every page', async () => {
  const { checked } = await assertPageHeaders(recorder);
  console.log(`checked security headers on ${checked} page responses`);
});
