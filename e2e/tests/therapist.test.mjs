// The therapist side end to end, in two browsers at once: a client invites their therapist
// and reads the code aloud; the therapist signs up, joins with the code as typed from
// hearing it, and sees the client on their caseload; the client's hard week moves them to the
// top, above a steady client, with the reasons in plain words; the therapist opens the client
// page and assigns homework the client sees as "from your therapist"; the client reads who
// looked at what, stops sharing, and the therapist's next look finds nothing. Every therapist
// page and the client's sharing pages are checked with axe at 390 and 1280 px.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser, newDesktopContext, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, signup, visible } from '../lib/flows.mjs';
import { lowDays, seedHistory } from '../lib/seed.mjs';
import { startServer } from '../lib/server.mjs';
import { enrolTotp } from '../lib/totp.mjs';

const TZ = 'Europe/London';
const THERAPIST_NAME = 'Dr Sam Rivera';
// Crockford's base32 as the invite code shows it: no I, L, O or U, grouped 4-4-2.
const CODE_SHAPE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{2}$/;

let server;
let browser;

before(async () => {
  server = await startServer({ name: 'therapist', args: ['--open-signup'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * One person at two screen sizes: a phone, and a desktop sharing its session cookie, so
 * every page can be checked and pictured at both widths.
 */
async function person() {
  const phone = await newPhoneContext(browser, { timezoneId: TZ });
  phone.setDefaultTimeout(15_000);
  const page = await phone.newPage();
  return {
    phone,
    page,
    desktop: null,
    wide: null,
    /** Opens the desktop twin once signed in (it copies the session). */
    async widen() {
      this.desktop = await newDesktopContext(browser, { timezoneId: TZ, storageState: await phone.storageState() });
      this.desktop.setDefaultTimeout(15_000);
      this.wide = await this.desktop.newPage();
    },
    async close() {
      await this.desktop?.close();
      await phone.close();
    },
  };
}

/**
 * axe at 390 px on the page as it is, then the same address at 1280 px; with `shot`,
 * screenshots at both widths (e2e/screenshots/SHOT-390.png and SHOT-1280.png).
 */
async function checkBothWidths(who, label, shot) {
  await checkA11y(who.page, `${label} (390)`);
  if (shot) await screenshot(who.page, `${shot}-390`);
  const res = await who.wide.goto(who.page.url());
  assert.equal(res.status(), 200, `${label} at 1280 px: ${res.status()}`);
  await checkA11y(who.wide, `${label} (1280)`);
  if (shot) await screenshot(who.wide, `${shot}-1280`);
}

async function signUpClient(who, tag) {
  await who.page.goto(`${server.url}/signup`);
  await fillSignup(who.page, newAccount(tag));
  await signup.submit(who.page).click();
  await expectHome(who.page);
  await who.widen();
}

/**
 * The therapist's second step: a new therapist account is sent to turn on two-step sign-in
 * before any client's data, does so with a code computed from the key on the page, and goes
 * on to the caseload from the recovery codes.
 */
async function secondFactor(who) {
  await who.page.waitForURL(/\/settings\/account\/two-step$/);
  await visible(
    who.page.getByText('Therapist accounts need two-step sign-in before anything a client shares is shown.'),
    'why a therapist turns it on first',
  );
  await checkA11y(who.page, 'two-step sign-in for a therapist (390)');
  await enrolTotp(who.page, server.url);
  await who.page.getByRole('link', { name: 'Go on to your clients' }).click();
  await who.page.waitForURL(/\/therapist$/);
}

async function signUpTherapist(who) {
  const account = newAccount('therapist');
  await who.page.goto(`${server.url}/signup`);
  await signup.email(who.page).fill(account.email);
  await signup.password(who.page).fill(account.password);
  await who.page.getByRole('radio', { name: "I'm signing up as a therapist" }).check();
  await who.page.getByLabel('Your name as clients will see it').fill(THERAPIST_NAME);
  await signup.country(who.page).selectOption(account.country);
  await signup.submit(who.page).click();
  await secondFactor(who);
  await visible(who.page.getByRole('heading', { name: 'Your clients', level: 1 }), 'the empty caseload');
  await visible(who.page.getByText('No one is sharing with you yet.'), 'the empty caseload says so');
  await who.widen();
  return account;
}

/** Makes an invite code on Settings → Sharing with every scope; alerts stay off. Returns the code. */
async function invite(who, displayName, page = who.page) {
  await page.goto(`${server.url}/settings`);
  await page.getByRole('link', { name: /Sharing/ }).first().click();
  await visible(page.getByRole('heading', { name: 'Sharing with your therapist', level: 1 }), 'Settings → Sharing');
  const scopes = page.getByRole('group', { name: 'What they can see' }).getByRole('checkbox');
  assert.equal(await scopes.count(), 4, 'four things can be shared');
  for (const box of await scopes.all()) await box.check();
  await page.getByLabel('The name your therapist will see').fill(displayName);
  // This server sends no mail, so email alerts are not offered (tests/mail.rs covers them).
  const alerts = page.getByRole('checkbox', { name: /Email my therapist/ });
  assert.equal(await alerts.count(), 0, 'no email alerts offered where no mail can be sent');
  await page.getByRole('button', { name: 'Make an invite code' }).click();
  await visible(page.getByRole('heading', { name: 'Your invite code', level: 1 }), 'the code page');
  const code = (await page.locator('.code-text').innerText()).trim();
  assert.match(code, CODE_SHAPE, 'a code in groups, from letters and digits that read aloud unambiguously');
  return code;
}

/** The code as a therapist types it from hearing it: small letters, spaces for dashes. */
function asHeard(code) {
  return code.toLowerCase().replace(/-/g, ' ');
}

async function join(therapist, code) {
  const { page } = therapist;
  await page.goto(`${server.url}/therapist/join`);
  await page.getByLabel('Invite code').fill(code);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL(/\/therapist\/clients\/[^/]+$/);
  return page.url().split('/').pop();
}

/** Names on the caseload, top to bottom, each with what the row says about them. */
async function caseloadRows(page) {
  await page.goto(`${server.url}/therapist`);
  const rows = page.locator('table.caseload tbody tr');
  const out = [];
  for (const row of await rows.all()) {
    out.push({
      name: (await row.locator('th').innerText()).trim(),
      look: (await row.locator('td').first().innerText()).replace(/\s+/g, ' ').trim(),
      reasons: (await row.locator('ul.reasons li').allInnerTexts()).map((r) => r.trim()),
    });
  }
  return out;
}

test('a client shares with their therapist, is seen first on a hard week, and stops sharing', async () => {
  const robin = await person();
  const kit = await person();
  const therapist = await person();
  try {
    // The client invites; the code page is for reading the code aloud.
    await signUpClient(robin, 'robin');
    await robin.page.goto(`${server.url}/settings/sharing`);
    await checkBothWidths(robin, 'Settings → Sharing (nothing shared)');
    // The code page answers a POST, so it is seen at 1280 px with an invite of its own,
    // which is then cancelled as a person who changed their mind would.
    await invite(robin, 'Robin', robin.wide);
    await checkA11y(robin.wide, 'the invite code page (1280)');
    await screenshot(robin.wide, 'sharing-code-1280');
    await robin.page.goto(`${server.url}/settings/sharing`);
    const waiting = robin.page.getByRole('region', { name: 'Invites waiting to be used' });
    await visible(waiting, 'the waiting invite');
    await checkA11y(robin.page, 'Settings → Sharing with an invite waiting (390)');
    await waiting.getByRole('button', { name: /^Cancel/ }).click();
    await visible(robin.page.getByText('You are not sharing with anyone.'), 'the sharing page again');
    assert.equal(await robin.page.getByRole('region', { name: 'Invites waiting to be used' }).count(), 0, 'the invite is cancelled');

    const code = await invite(robin, 'Robin');
    await checkA11y(robin.page, 'the invite code page (390)');
    await screenshot(robin.page, 'sharing-code-390');
    const size = await robin.page.locator('.code-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 24, `the code is large enough to read out from a phone (${size} px)`);

    // The therapist signs up in another browser and joins with the code as they heard it.
    await signUpTherapist(therapist);
    await checkBothWidths(therapist, 'the empty caseload');
    await therapist.page.goto(`${server.url}/therapist/join`);
    await checkBothWidths(therapist, 'the join page');
    // A code that does not exist is refused kindly, and the page stays usable.
    await therapist.page.getByLabel('Invite code').fill('0000-0000-00');
    await therapist.page.getByRole('button', { name: 'Join' }).click();
    await visible(therapist.page.getByRole('alert'), 'a message that the code did not work');
    await checkA11y(therapist.page, 'the join page with a refused code (390)');
    const robinId = await join(therapist, asHeard(code));
    await visible(therapist.page.getByRole('heading', { name: 'Robin', level: 1 }), "Robin's page after joining");
    // Single use: the same code a second time is refused.
    await therapist.page.goto(`${server.url}/therapist/join`);
    await therapist.page.getByLabel('Invite code').fill(code);
    await therapist.page.getByRole('button', { name: 'Join' }).click();
    await visible(therapist.page.getByRole('alert'), 'the used code refused');

    let rows = await caseloadRows(therapist.page);
    assert.deepEqual(rows.map((r) => r.name), ['Robin']);
    assert.match(rows[0].look, /^No check-ins yet/);

    // A second client, steady for weeks, joins too; Robin has not checked in yet.
    await signUpClient(kit, 'kit');
    await seedHistory(kit.page, server.url, { usual: 7, days: 42, until: 1, lastSession: 3 });
    const kitGuidance = await (await kit.page.request.get(`${server.url}/api/v1/guidance`)).json();
    assert.equal(kitGuidance.level, 'steady', JSON.stringify(kitGuidance));
    await join(therapist, await invite(kit, 'Kit'));
    rows = await caseloadRows(therapist.page);
    assert.deepEqual(rows.map((r) => r.name).sort(), ['Kit', 'Robin'], JSON.stringify(rows));
    const look = Object.fromEntries(rows.map((r) => [r.name, r.look]));
    assert.match(look.Kit, /^Nothing stands out/, JSON.stringify(rows));
    assert.match(look.Robin, /^No check-ins yet/, JSON.stringify(rows));

    // Robin's hard week: weeks around their usual, then a week of low days well after the
    // last session, missing what they usually do.
    await seedHistory(robin.page, server.url, { usual: 7, days: 42, until: 8, lastSession: 5 });
    await lowDays(robin.page, server.url, 7, 2);
    const g = await (await robin.page.request.get(`${server.url}/api/v1/guidance`)).json();
    assert.equal(g.level, 'reach_out', JSON.stringify(g));
    assert.ok(g.reasons.length >= 1, 'with reasons');

    // Robin moves to the top, and the therapist reads why in plain words.
    rows = await caseloadRows(therapist.page);
    assert.deepEqual(rows.map((r) => r.name), ['Robin', 'Kit'], JSON.stringify(rows));
    assert.match(rows[0].look, /^May want to hear from you/);
    assert.ok(rows[0].reasons.length >= 1, 'the top row says why');
    for (const r of rows[0].reasons) {
      assert.ok(!/[a-z]+_[a-z]+/.test(r), `a reason in plain words, not an engine code: ${r}`);
    }
    assert.match(rows[1].look, /^Nothing stands out/);
    const top = therapist.page.locator('table.caseload tbody tr').first();
    assert.match(await top.getAttribute('class'), /level-reach_out/, 'the top row is marked as reach out');
    // The level of the client who may need the therapist is filled in, not just bold text.
    const tag = top.locator('.level-label');
    const [tagBg, steadyBg] = await Promise.all([
      tag.evaluate((el) => getComputedStyle(el).backgroundColor),
      therapist.page.locator('table.caseload tbody tr').nth(1).locator('.level-label').evaluate((el) => getComputedStyle(el).backgroundColor),
    ]);
    assert.notEqual(tagBg, steadyBg, 'the reach-out level stands out from the steady one');
    await checkBothWidths(therapist, 'the caseload', 'therapist-caseload');

    // The client page: every shared section, and homework assigned from it.
    await therapist.page.getByRole('link', { name: 'Robin' }).click();
    await therapist.page.waitForURL(new RegExp(`/therapist/clients/${robinId}$`));
    for (const h of ['Check-ins and guidance', 'Questionnaires', 'Session preparation', 'Plans']) {
      await visible(therapist.page.getByRole('heading', { name: h, level: 2 }), `the "${h}" section`);
    }
    assert.equal(await therapist.page.getByText('Not shared.').count(), 0, 'everything was shared');
    await visible(therapist.page.locator('.guidance').getByText('May want to hear from you'), 'the level on the client page');
    await checkBothWidths(therapist, 'the client page', 'therapist-client');

    await therapist.page.getByRole('link', { name: 'Assign homework' }).click();
    await visible(therapist.page.getByRole('heading', { name: 'Homework for Robin', level: 1 }), 'the homework page');
    await checkBothWidths(therapist, 'the homework page');
    const task = `Walk for ten minutes after lunch ${randomUUID().slice(0, 4)}`;
    await therapist.page.getByLabel('What to do').fill(task);
    await therapist.page.getByLabel('How often').selectOption({ index: 0 });
    await therapist.page.getByRole('button', { name: 'Assign homework' }).click();
    await visible(therapist.page.getByRole('status'), 'the homework was assigned');
    await visible(therapist.page.locator('.entry.homework').getByText(task), 'the homework in "What you assigned"');
    await checkA11y(therapist.page, 'the homework page after assigning (390)');

    await therapist.page.goto(`${server.url}/therapist/clients/${robinId}/sensitivity`);
    await visible(therapist.page.getByRole('heading', { name: /How the app notices lower days for/, level: 1 }), 'the sensitivity page');
    await checkBothWidths(therapist, 'the sensitivity page');

    // The client sees the homework as from their therapist.
    await robin.page.goto(`${server.url}/homework`);
    const mine = robin.page.locator('li').filter({ hasText: task });
    await visible(mine, 'the assigned homework on the client’s list');
    await visible(mine.getByText(`From your therapist ${THERAPIST_NAME}`), 'marked as from the therapist');

    // Settings → Sharing: who can see what, and every look, in words.
    await robin.page.goto(`${server.url}/settings/sharing`);
    const grant = robin.page.locator('li.grant').filter({ hasText: THERAPIST_NAME });
    await visible(grant, 'the therapist among those who can see');
    const audit = (await robin.page.locator('ul.audit li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(audit.some((t) => t.startsWith(`${THERAPIST_NAME} looked at your check-ins`)), audit.join('\n'));
    assert.ok(audit.some((t) => t.startsWith(`${THERAPIST_NAME} gave you homework`)), audit.join('\n'));
    assert.ok(!audit.some((t) => /[a-z]+_[a-z]+/.test(t)), `no engine words in the audit:\n${audit.join('\n')}`);
    // Looks that are not one of the four scopes, said as what the therapist saw.
    assert.ok(audit.some((t) => t.startsWith(`${THERAPIST_NAME} looked at how things look for you, on their list of clients`)), audit.join('\n'));
    assert.ok(audit.some((t) => t.startsWith(`${THERAPIST_NAME} looked at how readily the app suggests reaching out`)), audit.join('\n'));
    assert.ok(!audit.some((t) => /your (caseload|sensitivity)/.test(t)), `words of the code in the audit:\n${audit.join('\n')}`);
    await checkBothWidths(robin, 'Settings → Sharing (sharing, with looks)', 'sharing');

    // The client stops sharing; from the therapist's next request on, Robin is gone.
    await grant.getByRole('link', { name: /^Stop sharing/ }).click();
    await visible(robin.page.getByRole('heading', { name: `Stop sharing with ${THERAPIST_NAME}?`, level: 1 }), 'the confirmation');
    await checkBothWidths(robin, 'the stop-sharing confirmation');
    await robin.page.getByRole('button', { name: 'Stop sharing' }).click();
    await visible(robin.page.getByText('You are not sharing with anyone.'), 'no one left to share with');
    const auditAfter = await robin.page.locator('ul.audit li').count();
    assert.ok(auditAfter >= audit.length, 'the looks stay listed after stopping');

    const gone = await therapist.page.goto(`${server.url}/therapist/clients/${robinId}`);
    assert.equal(gone.status(), 404, 'the client page after revoking');
    assert.ok(!(await therapist.page.content()).includes('Robin'), 'the 404 gives no hint of who it was');
    const api = await therapist.page.request.get(`${server.url}/api/v1/therapist/clients/${robinId}/checkins`);
    assert.equal(api.status(), 404, 'the API after revoking');
    rows = await caseloadRows(therapist.page);
    assert.deepEqual(rows.map((r) => r.name), ['Kit'], 'the caseload no longer lists Robin');
  } finally {
    await robin.close();
    await kit.close();
    await therapist.close();
  }
});
