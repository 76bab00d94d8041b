// A check-in on a hard day, in a browser: a very low mood is saved whatever the person
// answers to the safety question ("I'd rather not say" included) and then shows the help links
// gently; mood is one tap from home, a retried tap is stored once, and "add more" fills in that
// same check-in; every 0–10 choice is a comfortable target at 320 px; a low day below the usual
// gets a kind word with two things that helped before. Also measures taps and time for a
// mood-only and a full check-in (printed for the closing note).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser, newDesktopContext, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const SAFETY_QUESTION = 'Have you had thoughts of harming yourself or ending your life?';

let server;
let browser;
let context;
let page;

before(async () => {
  server = await startServer({ name: 'checkin-quick', args: ['--open-signup'] });
  browser = await launchBrowser();
});

/** A new person in a fresh phone browser, signed up and on home. */
async function newPerson(tag, usualDay = '6') {
  await context?.close();
  context = await newPhoneContext(browser, { timezoneId: 'Europe/London' });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  await page.goto(`${server.url}/signup`);
  await fillSignup(page, { ...newAccount(tag), usualDay });
  await signup.submit(page).click();
  await expectHome(page);
}

after(async () => {
  await browser?.close();
  await server?.stop();
});

const group = (p, name) => p.getByRole('group', { name, exact: true });
const radio = (p, groupName, name) => group(p, groupName).getByRole('radio', { name, exact: true });
const moodButton = (p, n) => p.getByRole('button', { name: `Mood ${n}`, exact: true });

async function checkins(p = page) {
  const res = await p.request.get(`${server.url}/api/v1/checkins`);
  assert.equal(res.status(), 200);
  return (await res.json()).checkins;
}

/** A screenshot for people to look at, with the other test screenshots. */
async function shot(p, name) {
  await screenshot(p, `checkin-quick-${name}`);
}

/** The gentle help after a very low mood: a crisis line to call and the safety plan. */
async function expectGentleHelp(p) {
  const help = p.locator('.gentle-help');
  await visible(help.getByRole('heading', { name: 'If it feels like too much' }), 'the gentle help heading');
  await visible(help.getByRole('link', { name: /^Call / }), 'a crisis line to call');
  await visible(help.getByRole('link', { name: /safety plan/i }), 'the safety plan link');
  // Gentle, not an alarm: no alert role, no urgent card.
  assert.equal(await p.locator('.emergency').count(), 0, 'no urgent card');
}

test('mood 1 with "I\'d rather not say" is saved, shown in history and the API, with gentle help', async () => {
  await newPerson('rather');
  await page.goto(`${server.url}/checkin`);
  await shot(page, 'checkin-390');
  await radio(page, 'Mood', '1').check();
  // The question shows as soon as the low mood is chosen, with three answers.
  const question = group(page, SAFETY_QUESTION);
  await visible(question, 'the safety question');
  for (const answer of ['No', 'Yes', "I'd rather not say"]) {
    await visible(question.getByRole('radio', { name: answer, exact: true }), `the answer "${answer}"`);
  }
  await checkA11y(page, 'check-in with the safety question');
  await shot(page, 'checkin-low-390');
  await question.getByRole('radio', { name: "I'd rather not say", exact: true }).check();
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await visible(page.getByRole('status').filter({ hasText: 'mood 1 out of 10' }), 'the specific thank-you');
  await expectGentleHelp(page);
  await checkA11y(page, 'home after "rather not say"');

  const stored = await checkins();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].self_harm_thoughts, 'rather_not_say');
  await page.goto(`${server.url}/history`);
  await visible(page.getByText('Chose not to answer the safety question'), 'the answer in the history');
});

test('mood 2 with the safety question unanswered is saved as not answered, with the same help', async () => {
  await page.goto(`${server.url}/checkin`);
  await radio(page, 'Mood', '2').check();
  await visible(group(page, SAFETY_QUESTION), 'the safety question');
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await expectGentleHelp(page);
  const stored = await checkins();
  assert.equal(stored.length, 2);
  assert.equal(stored[1].mood, 2);
  assert.equal(stored[1].self_harm_thoughts ?? null, null);
});

test('the same without JavaScript: nothing blocks saving', async () => {
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  await noJs.addCookies(await context.cookies());
  const p = await noJs.newPage();
  await p.goto(`${server.url}/checkin`);
  await radio(p, 'Mood', '0').check();
  await visible(group(p, SAFETY_QUESTION), 'the safety question without JS');
  await p.getByRole('button', { name: 'Save check-in' }).click();
  await p.waitForURL((u) => u.pathname === '/');
  await expectGentleHelp(p);
  assert.equal((await checkins(p)).length, 3);
  await noJs.close();
});

test('one tap from home saves the mood; a retry is stored once; "add more" fills in that check-in', async () => {
  await newPerson('quick');
  const form = page.locator('form:has(button[name="mood"])');
  const csrf = await form.locator('input[name="csrf"]').inputValue();
  const clientId = await form.locator('input[name="client_id"]').inputValue();
  const fieldset = page.getByRole('group', { name: 'How is your mood right now?' });
  await visible(fieldset, 'the one-tap mood question on home');
  assert.equal(await fieldset.getByRole('button').count(), 11, 'eleven mood buttons, 0 to 10');
  await checkA11y(page, 'home with the one-tap check-in');

  await moodButton(page, 6).click();
  await page.waitForURL((u) => u.pathname === '/');
  await visible(page.getByRole('status').filter({ hasText: 'mood 6 out of 10' }), 'the thank-you naming mood 6');
  assert.equal((await checkins()).length, 1);

  // The same tap again (a retry on a bad connection) stores nothing new.
  const retry = await page.request.post(`${server.url}/checkin`, {
    form: { csrf, client_id: clientId, quick: '1', mood: '6' },
    maxRedirects: 0,
  });
  assert.equal(retry.status(), 303, await retry.text());
  const once = await checkins();
  assert.equal(once.length, 1, 'a retried tap is stored once');

  await page.getByRole('status').getByRole('link', { name: 'Add more to it' }).click();
  await visible(page.getByRole('heading', { name: 'Add more to your check-in' }), 'the "add more" page');
  assert.equal(await radio(page, 'Mood', '6').isChecked(), true, 'the saved mood is filled in');
  await checkA11y(page, 'add more');
  await radio(page, 'Anxiety', '5').check();
  await page.getByRole('checkbox', { name: 'Fatigue' }).check();
  await page.getByLabel('Note (optional)').fill('A long day at work.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  const updated = await checkins();
  assert.equal(updated.length, 1, 'adding more changes that check-in, not a new one');
  assert.equal(updated[0].id, once[0].id);
  assert.equal(updated[0].client_id, once[0].client_id);
  assert.equal(updated[0].anxiety, 5);
  assert.deepEqual(updated[0].body, ['fatigue']);
  assert.equal(updated[0].note, 'A long day at work.');
});

test('a one-tap very low mood asks the safety question right after, first on the page', async () => {
  await page.goto(`${server.url}/`);
  await moodButton(page, 1).click();
  await page.waitForURL((u) => /^\/checkin\/\d+$/.test(u.pathname));
  const question = group(page, SAFETY_QUESTION);
  await visible(question, 'the safety question after a one-tap low mood');
  await visible(page.getByRole('heading', { name: 'Your check-in is saved' }), 'the saved heading');
  // It leads the form: before the mood scale.
  const order = await page.evaluate(() =>
    [...document.querySelectorAll('form.checkin fieldset')].map((f) => f.id),
  );
  assert.equal(order[0], 'self_harm_thoughts', `the safety question first: ${order}`);
  const box = await question.boundingBox();
  assert.ok(box && box.y < 844, `the question starts inside the first screen (y=${box?.y})`);
  await checkA11y(page, 'safety question after a one-tap check-in');
  await shot(page, 'checkin-after-quick-low-390');
  assert.equal((await checkins()).at(-1).mood, 1, 'already saved before any answer');

  await question.getByRole('radio', { name: "I'd rather not say", exact: true }).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await expectGentleHelp(page);
  assert.equal((await checkins()).at(-1).self_harm_thoughts, 'rather_not_say');
});

test('every 0–10 choice is at least 44 × 44 px at 320 px wide', async () => {
  await page.setViewportSize({ width: 320, height: 700 });
  const sizes = async (selector) =>
    page.locator(selector).evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]));
  await page.goto(`${server.url}/`);
  const home = await sizes('.quick-checkin .scale-row button');
  assert.equal(home.length, 11);
  await page.goto(`${server.url}/checkin`);
  const form = await sizes('.scale-row .pill span');
  assert.equal(form.length, 33);
  for (const [w, h] of [...home, ...form]) {
    assert.ok(w >= 44 && h >= 44, `a 0–10 choice of ${w.toFixed(1)} × ${h.toFixed(1)} px`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no sideways scroll at 320 px');
  // Still radios in one group per scale: arrow keys move the choice.
  await radio(page, 'Mood', '4').check();
  await page.keyboard.press('ArrowRight');
  assert.equal(await radio(page, 'Mood', '5').isChecked(), true, 'ArrowRight moves to 5');
  await checkA11y(page, 'check-in at 320 px');
  await page.setViewportSize({ width: 390, height: 844 });
});

test('a low day below the usual 7 is acknowledged with two tools that helped before', async () => {
  await newPerson('ack', '7');
  // Steady day first: nothing to acknowledge.
  assert.equal(await page.locator('.acknowledge').count(), 0, 'nothing to acknowledge before a check-in');
  await shot(page, 'home-steady-390');
  const desktop = await newDesktopContext(browser, { timezoneId: 'Europe/London' });
  await desktop.addCookies(await context.cookies());
  const wide = await desktop.newPage();
  await wide.goto(`${server.url}/`);
  await checkA11y(wide, 'home on a steady day at 1280');
  await shot(wide, 'home-steady-1280');
  for (const tool of ['box-breathing', 'grounding-5-4-3-2-1']) {
    for (const [b, a] of [[8, 3], [7, 3], [8, 4]]) {
      const res = await page.request.post(`${server.url}/api/v1/coping-uses`, {
        data: { client_id: randomUUID(), tool, distress_before: b, distress_after: a },
      });
      assert.equal(res.status(), 201, `seeding ${tool}: ${await res.text()}`);
    }
  }
  await moodButton(page, 4).click();
  await page.waitForURL((u) => u.pathname === '/');
  const card = page.getByRole('region', { name: 'A harder day' });
  await visible(card, 'the acknowledgement card');
  await visible(card.getByText('Today is lower than your usual 7.'), 'the line naming the usual 7');
  await visible(card.getByText('Here are two things that helped you before:'), 'the two-things line');
  const links = await card.locator('.tool-links a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links.sort(), ['/toolkit/box-breathing', '/toolkit/grounding-5-4-3-2-1']);
  // It comes before the guidance card.
  const before = await page.evaluate(() => {
    const ack = document.querySelector('.acknowledge');
    const guidance = document.querySelector('[aria-labelledby="guidance-h"], .guidance');
    return Boolean(ack && guidance && ack.compareDocumentPosition(guidance) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(before, 'the acknowledgement comes before the guidance card');
  await checkA11y(page, 'home on a low day');
  await shot(page, 'home-low-390');

  await wide.goto(`${server.url}/`);
  await checkA11y(wide, 'home on a low day at 1280');
  await shot(wide, 'home-low-1280');
  await wide.goto(`${server.url}/checkin`);
  await shot(wide, 'checkin-1280');
  await desktop.close();
});

test('measure: taps and time for a mood-only and a full check-in', async () => {
  await newPerson('measure');
  // Mood only: one tap on home, until the saved notice shows.
  let taps = 0;
  let t0 = Date.now();
  await moodButton(page, 7).click();
  taps += 1;
  await visible(page.getByRole('status').filter({ hasText: 'saved' }), 'the saved notice');
  const quickMs = Date.now() - t0;
  const quickTaps = taps;

  // The full form: open it, three scales, one body signal, the usual day, save.
  taps = 0;
  t0 = Date.now();
  await page.getByRole('link', { name: 'Full check-in' }).click();
  taps += 1;
  for (const [legend, value] of [['Mood', '6'], ['Anxiety', '4'], ['Energy', '5']]) {
    await radio(page, legend, value).check();
    taps += 1;
  }
  await page.getByRole('checkbox', { name: 'Fatigue' }).check();
  taps += 1;
  await radio(page, 'Did you manage your usual day?', 'Partly').check();
  taps += 1;
  await page.getByRole('button', { name: 'Save check-in' }).click();
  taps += 1;
  await visible(page.getByRole('status').filter({ hasText: 'saved' }), 'the saved notice');
  const fullMs = Date.now() - t0;
  console.log(`MEASURE mood-only check-in from home: ${quickTaps} tap, ${quickMs} ms (scripted, no reading time)`);
  console.log(`MEASURE full check-in from home: ${taps} taps, ${fullMs} ms (scripted, no reading time)`);
  assert.equal(quickTaps, 1);
  assert.equal((await checkins()).length, 2);
});
