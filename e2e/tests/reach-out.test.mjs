// Reaching out on a hard day, on a 390 x 844 phone: the contact button (and, when it is
// urgent, the call buttons) on the first screen of home however much else there is; the
// drafted message opening in Messages or Mail as the person edited it, without the text ever
// reaching the server; "Get help now" without raw sources on its cards and with the person's
// own therapist; and plain words instead of clinical ones.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { SCREENSHOT_DIR, checkA11y, fullPageShot, launchBrowser, newDesktopContext, newPhoneContext } from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const TZ = 'Europe/London';
const DAY = 24 * 60 * 60 * 1000;
const FOLD = 844;
// Screenshots for people to look at (gitignored), with the first screen on its own.
const SHOTS = SCREENSHOT_DIR;
// Words of the engine and of the clinical manuals that must not reach the person's pages.
const JARGON = [/reliable/i, /deterioration/i, /caseness/i, /clinical/i, /rated day/i, /expected dip/i, /Talking Therapies counts/i];

let server;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ name: 'reach-out', args: ['--open-signup'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A phone with a fresh account, its zone pinned so days are certain. */
async function phoneWithAccount(tag) {
  const context = await newPhoneContext(browser, { timezoneId: TZ });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // Sign-up is open on this server, so each test has its own account (`/` would go to sign-in).
  await page.goto(`${server.url}/signup`);
  await fillSignup(page, newAccount(tag));
  await signup.submit(page).click();
  await expectHome(page);
  return { context, page };
}

async function post(page, path, data) {
  const res = await page.request.post(`${server.url}${path}`, { data });
  assert.equal(res.status(), 201, `${path}: ${await res.text()}`);
  return res.json();
}

/** A check-in `daysAgo` days back through the JSON API, with the browser's session. */
async function checkIn(page, daysAgo, extra = {}) {
  return post(page, '/api/v1/checkins', {
    client_id: randomUUID(),
    mood: 2,
    self_harm_thoughts: false,
    at: new Date(Date.now() - daysAgo * DAY).toISOString(),
    ...extra,
  });
}

async function questionnaire(page, instrument, answers, daysAgo) {
  return post(page, '/api/v1/questionnaires', {
    client_id: randomUUID(),
    instrument,
    answers,
    at: new Date(Date.now() - daysAgo * DAY).toISOString(),
  });
}

async function saveSettings(page, { name, phone, email }) {
  await page.goto(`${server.url}/settings`);
  await page.getByLabel("Therapist's name (optional)").fill(name);
  await page.getByLabel("Therapist's phone (optional)").fill(phone);
  await page.getByLabel("Therapist's email (optional)").fill(email);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForLoadState('domcontentloaded');
}

/** A safety plan with every step filled, so its summary is as tall as it gets. */
async function saveFullSafetyPlan(page) {
  await page.goto(`${server.url}/safety-plan/edit`);
  const three = (what) => [1, 2, 3, 4].map((n) => `${what} ${n}`).join('\n');
  await page.locator('#warning_signs').fill(three('Warning sign'));
  await page.locator('#on_my_own').fill(three('Something I can do'));
  await page.locator('#distractions').fill(three('A place'));
  for (const [i, who] of ['Jo', 'Sam'].entries()) {
    await page.locator('[name="helper_name"]').nth(i).fill(who);
    await page.locator('[name="helper_phone"]').nth(i).fill(`07700 90012${i}`);
  }
  await page.locator('[name="professional_name"]').nth(0).fill('GP surgery');
  await page.locator('[name="professional_phone"]').nth(0).fill('+44 20 7946 0001');
  await page.locator('#safer_surroundings').fill(three('Safer'));
  await page.locator('#reasons_for_living').fill(three('A reason'));
  await page.getByRole('button', { name: 'Save my safety plan' }).click();
  await page.waitForLoadState('domcontentloaded');
  await visible(page.getByRole('heading', { name: /safety plan/i }), 'the saved safety plan');
}

/** Where the bottom of the first element matching `locator` is, with the page at the top. */
async function bottomOf(page, locator, what) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await visible(locator, what);
  const box = await locator.first().boundingBox();
  assert.ok(box, `${what} has no box`);
  return box.y + box.height;
}

/** Every word in the page's main part, the charts' labels and keys included. */
async function mainWords(page) {
  return page.evaluate(() => document.querySelector('main').textContent.replace(/\s+/g, ' '));
}

function assertNoJargon(text, where) {
  const found = JARGON.filter((re) => re.test(text)).map(String);
  assert.deepEqual(found, [], `${where} shows clinical or engine words`);
}

/** Screenshots at 390 and 1280 px, and axe at 320 and 1280 px (the caller checks 390). */
async function shots(page, name) {
  await fullPageShot(page, `${SHOTS}/${name}-390.png`);
  await page.screenshot({ path: `${SHOTS}/${name}-390-first-screen.png` });
  await page.setViewportSize({ width: 320, height: 640 });
  await checkA11y(page, `${name} (320)`);
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await newDesktopContext(browser, {
    timezoneId: TZ,
    storageState: await page.context().storageState(),
  });
  try {
    const w = await wide.newPage();
    await w.goto(page.url());
    await fullPageShot(w, `${SHOTS}/${name}-1280.png`);
    await checkA11y(w, `${name} (1280)`);
  } finally {
    await wide.close();
  }
}

test('reach out: the contact button is on the first screen, before short plain reasons', async () => {
  const { context, page } = await phoneWithAccount('reach');
  try {
    await saveSettings(page, { name: 'Dr Ada Okafor', phone: '+44 7700 900123', email: 'ada@example.org' });
    // As much as home can hold: low days that persist and slide, missed days, a questionnaire
    // that went up, an offer of the backsliding plan, and the "saved" notice on top.
    await post(page, '/api/v1/sessions', { client_id: randomUUID(), at: new Date(Date.now() - 8 * DAY).toISOString() });
    await questionnaire(page, 'phq9', [1, 1, 1, 1, 1, 0, 0, 0, 0], 20);
    await questionnaire(page, 'phq9', [2, 2, 2, 1, 1, 1, 1, 1, 0], 0);
    for (const d of [6, 5, 4, 3, 2, 1, 0]) {
      await checkIn(page, d, { mood: d > 3 ? 3 : 1, missed_usual_activities: d < 2 });
    }
    const g = await (await page.request.get(`${server.url}/api/v1/guidance`)).json();
    assert.equal(g.level, 'reach_out', JSON.stringify(g));
    assert.ok(g.reasons.length >= 3, `several reasons: ${g.reasons.map((r) => r.code)}`);

    await page.goto(`${server.url}/?saved=1`);
    await visible(page.getByRole('heading', { name: 'It would be good to contact your therapist' }), 'the reach-out headline');
    const contact = page.locator('.guidance').getByRole('link', { name: 'Contact my therapist' });
    const bottom = await bottomOf(page, contact, 'the contact button');
    assert.ok(bottom <= FOLD, `the contact button ends at ${bottom} px, below the first ${FOLD} px`);
    const noticed = await page.getByRole('heading', { name: 'What we noticed' }).boundingBox();
    assert.ok(bottom <= noticed.y, 'the contact button comes before the reasons');
    await visible(page.getByText('Time to reach out'), 'the calm level label');

    // The short list says low mood once; the evidence is behind "More about what we saw".
    const items = await page.locator('.guidance ul.reasons > li').allTextContents();
    assert.equal(items.filter((t) => /^Your mood/.test(t)).length, 1, `low mood once: ${items.join(' | ')}`);
    assert.ok(items.some((t) => t.includes('PHQ-9 (low mood) score has gone up from 5 to 11')), items.join(' | '));
    const detail = page.locator('.guidance details');
    assert.equal(await detail.getAttribute('open'), null, 'the evidence starts folded');
    await detail.locator('summary').click();
    await visible(detail.getByText(/Where this comes from/), 'where the advice comes from');
    await fullPageShot(page, `${SHOTS}/home-reach-out-evidence-390.png`);
    assertNoJargon(await mainWords(page), 'home (reach out)');
    await checkA11y(page, 'home (reach out, evidence open)');
    await detail.locator('summary').click();
    await shots(page, 'home-reach-out');

    // The contact page: Text and Email carry the draft as it stands.
    await contact.click();
    await page.waitForURL(/\/contact$/);
    const draftBox = page.getByLabel('Message to my therapist');
    const text = page.getByRole('link', { name: /^Text this message/ });
    const email = page.getByRole('link', { name: /^Email this message/ });
    const bodyOf = async (link) => {
      const href = await link.getAttribute('href');
      const m = /[?&]body=([^&]*)/.exec(href);
      assert.ok(m, `no body in ${href}`);
      return decodeURIComponent(m[1]).replace(/\r\n/g, '\n');
    };
    const drafted = await draftBox.inputValue();
    assert.match(drafted, /^Hi Dr Ada Okafor,/);
    assert.ok((await text.getAttribute('href')).startsWith('sms:+447700900123?&body='));
    assert.ok((await email.getAttribute('href')).startsWith('mailto:ada@example.org?subject=Before%20our%20next%20session&body='));
    assert.equal(await bodyOf(text), drafted);
    assert.equal(await bodyOf(email), drafted);

    // Edited text, with characters that must be encoded, follows into both links and
    // never travels to the server.
    const marker = `Rosemary-${randomUUID().slice(0, 8)}`;
    const sent = [];
    context.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));
    const edited = `${drafted}\n\nP.S. ${marker}: 50% & more? #ok`;
    await draftBox.fill(edited);
    assert.equal(await bodyOf(text), edited);
    assert.equal(await bodyOf(email), edited);
    assert.ok((await text.getAttribute('href')).includes(encodeURIComponent(`${marker}: 50% & more? #ok`)));
    await checkA11y(page, 'contact');
    await shots(page, 'contact');
    await page.reload();
    assert.equal(await draftBox.inputValue(), drafted, 'an edit is not kept by the server');
    assert.deepEqual(sent.filter((s) => s.includes(marker) || s.includes(encodeURIComponent(marker))), [], 'the edited message reached the server');
    assert.ok(!server.log().includes(marker), 'the edited message is in the server log');

    // Without JavaScript the links still carry the drafted text.
    const plain = await newPhoneContext(browser, { storageState: await context.storageState(), javaScriptEnabled: false, timezoneId: TZ });
    try {
      const p = await plain.newPage();
      await p.goto(`${server.url}/contact`);
      const href = await p.getByRole('link', { name: /^Text this message/ }).getAttribute('href');
      assert.equal(decodeURIComponent(/body=(.*)$/.exec(href)[1]), drafted);
    } finally {
      await plain.close();
    }

    // The questionnaires and a result, in plain words.
    await page.goto(`${server.url}/questionnaires`);
    await visible(page.getByText('A rise worth talking about').first(), 'the overview’s change, in plain words');
    assertNoJargon(await mainWords(page), 'the questionnaires overview');
    await page.getByRole('link', { name: /See this result/ }).first().click();
    await visible(page.getByText('A rise worth talking about').first(), 'the rise, in plain words');
    assertNoJargon(await mainWords(page), 'the questionnaire result');
    await checkA11y(page, 'questionnaire result');
    await shots(page, 'questionnaire-result');
  } finally {
    await context.close();
  }
});

test('urgent: the call buttons are on the first screen, above a full safety plan', async () => {
  const { context, page } = await phoneWithAccount('urgent');
  try {
    await saveSettings(page, { name: 'Dr Ada Okafor', phone: '+44 7700 900123', email: '' });
    await saveFullSafetyPlan(page);
    for (const d of [4, 3, 2, 1]) await checkIn(page, d, { mood: 2, missed_usual_activities: true });
    await checkIn(page, 0, { mood: 1, self_harm_thoughts: true });
    await page.goto(`${server.url}/?saved=1`);
    await visible(page.getByRole('heading', { name: 'Please get support now' }), 'the urgent card');
    const call = page.locator('.emergency').getByRole('link', { name: 'Call 999' });
    const bottom = await bottomOf(page, call, 'the Call 999 button');
    assert.ok(bottom <= FOLD, `the call button ends at ${bottom} px, below the first ${FOLD} px`);
    const samaritans = page.locator('.emergency').getByRole('link', { name: 'Call 116 123' });
    assert.ok((await bottomOf(page, samaritans, 'the crisis line button')) <= FOLD);
    assertNoJargon(await mainWords(page), 'home (urgent)');
    await checkA11y(page, 'home (urgent)');
    await shots(page, 'home-urgent');

    // Straight after a "yes" the plan comes first on Get help now, with the numbers above it.
    await page.goto(`${server.url}/help?from=checkin`);
    await visible(page.getByRole('region', { name: 'My safety plan' }), 'the plan first');
    const first999 = page.getByRole('link', { name: 'Call 999' }).first();
    assert.ok((await bottomOf(page, first999, 'Call 999 above the plan')) <= FOLD);
    await checkA11y(page, 'help after a yes, with a plan');
    await page.screenshot({ path: `${SHOTS}/help-after-yes-390-first-screen.png` });

    // Get help now: crisis lines first, the therapist's call button after them, sources once.
    await page.goto(`${server.url}/help`);
    const cards = await page.locator('li.line').allTextContents();
    assert.ok(cards.length > 0);
    for (const card of cards) {
      assert.ok(!/https?:\/\//.test(card), `a raw address on a card: ${card}`);
      assert.ok(!/\d{4}-\d{2}-\d{2}/.test(card), `an ISO date on a card: ${card}`);
    }
    const main = await mainWords(page);
    assert.ok(!/https?:\/\//.test(main), 'no raw address as text anywhere on the page');
    assert.ok(!/\d{4}-\d{2}-\d{2}/.test(main), 'no ISO date anywhere on the page');
    const therapist = page.getByRole('link', { name: 'Call Dr Ada Okafor' });
    await visible(therapist, "the therapist's call button");
    assert.equal(await therapist.getAttribute('href'), 'tel:+447700900123');
    const order = await page.evaluate(() => {
      const at = (sel) => [...document.querySelectorAll('main *')].indexOf(document.querySelector(sel));
      return { emergency: at('a[href="tel:999"]'), line: at('a[href="tel:116123"]'), therapist: at('a[href="tel:+447700900123"]'), sources: at('details.sources') };
    });
    assert.ok(order.emergency < order.line && order.line < order.therapist && order.therapist < order.sources, JSON.stringify(order));
    const sources = page.locator('details.sources');
    await sources.locator('summary').click();
    await visible(sources.getByText(/checked [A-Z][a-z]+ \d{4}/), 'when the numbers were checked, in words');
    await visible(sources.getByRole('link', { name: 'samaritans.org' }), 'the Samaritans source');
    await checkA11y(page, 'help (signed in, therapist)');
    await sources.locator('summary').click();
    await shots(page, 'help');
  } finally {
    await context.close();
  }
});

test('every level’s card reads calmly at 390 px', async () => {
  // Steady, then a dip after a session: the calm label, no upper-case engine name.
  const { context, page } = await phoneWithAccount('levels');
  try {
    await page.goto(`${server.url}/`);
    await visible(page.getByRole('heading', { name: 'Nothing stands out right now' }), 'the steady headline');
    await fullPageShot(page, `${SHOTS}/home-steady-390.png`);
    await post(page, '/api/v1/sessions', { client_id: randomUUID(), at: new Date(Date.now() - 2 * DAY).toISOString() });
    await checkIn(page, 1, { mood: 3 });
    await checkIn(page, 0, { mood: 3 });
    await page.reload();
    await visible(page.getByRole('heading', { name: 'A dip after your session' }), 'the dip headline');
    const tag = page.locator('.guidance .level-tag');
    assert.equal((await tag.innerText()).trim(), 'Common after a session', 'shown as written, not in capitals');
    assertNoJargon(await mainWords(page), 'home (dip)');
    await checkA11y(page, 'home (dip)');
    await fullPageShot(page, `${SHOTS}/home-dip-390.png`);
  } finally {
    await context.close();
  }
});
