// Between sessions on a phone: a journal entry marked for the session lands on the agenda,
// homework is logged, feedback is written, and "since my last session" prints to a clean
// PDF that holds the agenda and the mood summary. Every page passes axe, and nothing the
// person wrote reaches the server log or an address.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import {
  assertPageHeaders,
  checkA11y,
  launchBrowser,
  newDesktopContext,
  newPhoneContext,
  recordPages,
  screenshot,
} from '../lib/browser.mjs';
import { createAccount, newAccount, openFromNav, visible } from '../lib/flows.mjs';
import { RESULTS_DIR, startServer } from '../lib/server.mjs';

const TZ = 'Europe/London';
const DAY = 24 * 60 * 60 * 1000;
// Recognisable words, so the test can look for them in the PDF and the server log.
const ENTRY_TOPIC = 'Talk about the LANTERN-7731 visit from my sister';
const ENTRY_REST = 'It was harder than I expected and I froze.';
const MANUAL_TOPIC = 'Ask whether the homework pace is right';
const HOMEWORK = 'Box breathing HERON-2290, four rounds';
const HOMEWORK_NOTE = 'calmer afterwards';
const FEEDBACK = 'The imagery at the end of the session helped';
const SEARCH_WORD = 'LANTERN-7731';

let server;
let browser;
let context;
let recorder;
let page;

before(async () => {
  server = await startServer({ name: 'brief' });
  browser = await launchBrowser();
  // Without the offline service worker every page comes from the server, so the headers of
  // each one can be checked.
  context = await newPhoneContext(browser, { timezoneId: TZ, serviceWorkers: 'block' });
  context.setDefaultTimeout(15_000);
  recorder = recordPages(context);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A button named "Action: thing" (the thing is visually hidden, so screen readers hear it). */
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const about = (action, thing) => new RegExp(`^${escape(action)}\\s*:\\s*${escape(thing)}$`);

/** Posts JSON with the browser's session, as the app's own API clients would. */
async function api(pathname, data) {
  const res = await page.request.post(`${server.url}${pathname}`, { data });
  assert.ok([200, 201].includes(res.status()), `${pathname}: ${res.status()} ${await res.text()}`);
  return res.json();
}

/** The text of every page of a PDF, joined. */
async function pdfText(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => item.str).join(' '));
  }
  await doc.destroy();
  return { pages: doc.numPages, text: pages.join('\n').replace(/\s+/g, ' ') };
}

test('a session, then a few days of check-ins', async () => {
  await createAccount(page, server.url, newAccount('brief'));
  await api('/api/v1/sessions', { client_id: randomUUID(), at: new Date(Date.now() - 4 * DAY).toISOString() });
  for (const [daysAgo, mood] of [[3, 4], [2, 3], [1, 6], [0, 7]]) {
    await api('/api/v1/checkins', {
      client_id: randomUUID(),
      mood,
      anxiety: 5,
      energy: 4,
      self_harm_thoughts: false,
      at: new Date(Date.now() - daysAgo * DAY).toISOString(),
    });
  }
});

test('a journal entry marked for the session, parked, and found by search', async () => {
  await openFromNav(page, 'Journal');
  await visible(page.getByRole('heading', { name: 'Journal', level: 1 }), 'the journal heading');
  await checkA11y(page, 'journal (empty)');
  await page.getByLabel("What's on your mind?").fill(`${ENTRY_TOPIC}\n${ENTRY_REST}`);
  await page.getByLabel('Bring to my next session (it goes on the agenda)').check();
  await page.getByRole('button', { name: 'Save entry' }).click();
  await visible(page.getByText('Saved in your journal.'), 'the saved notice');
  await visible(page.getByText('On the agenda', { exact: true }), 'the "On the agenda" tag');

  await page.getByRole('button', { name: /^Park it for the session/ }).first().click();
  await visible(page.getByText(/It will wait here for your session/), 'the parked notice');
  await visible(page.getByText('Parked', { exact: true }), 'the "Parked" tag');
  await checkA11y(page, 'journal (with an entry)');
  await screenshot(page, 'brief-journal-phone');

  await page.getByLabel('Search your journal').fill(SEARCH_WORD);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'Search results' }), 'the search results');
  await visible(page.getByText(ENTRY_REST), 'the entry among the results');
  assert.ok(!page.url().includes(SEARCH_WORD), `the search word is in the address: ${page.url()}`);
  await checkA11y(page, 'journal search results');
});

test('the entry is on the agenda, next to a topic added and moved by hand', async () => {
  await openFromNav(page, 'Agenda');
  const topics = page.locator('ol.agenda > li .topic');
  await visible(topics.filter({ hasText: ENTRY_TOPIC }), 'the journal topic on the agenda');
  await page.getByLabel('New topic').fill(MANUAL_TOPIC);
  await page.getByRole('button', { name: 'Add to agenda' }).click();
  await visible(page.getByText('Added to your agenda.'), 'the added notice');
  assert.deepEqual(await topics.allTextContents(), [ENTRY_TOPIC, MANUAL_TOPIC]);
  await page.getByRole('button', { name: about('Move up', MANUAL_TOPIC) }).click();
  await visible(page.getByRole('button', { name: about('Move down', MANUAL_TOPIC) }), 'the moved topic');
  assert.deepEqual(await topics.allTextContents(), [MANUAL_TOPIC, ENTRY_TOPIC]);
  await checkA11y(page, 'agenda');
  await screenshot(page, 'brief-agenda-phone');
});

test('homework is added, done with a note, and shown at home', async () => {
  await openFromNav(page, 'Homework');
  await page.getByLabel('What to do').fill(HOMEWORK);
  await page.getByLabel('How often').selectOption('daily');
  await page.getByRole('button', { name: 'Add homework' }).click();
  await visible(page.getByText(/Homework added/), 'the added notice');
  await checkA11y(page, 'homework');
  await page.getByLabel('How did it go? (optional)').fill(HOMEWORK_NOTE);
  await page.getByRole('button', { name: about('I did it', HOMEWORK) }).click();
  await visible(page.getByText("Well done. It's in your log."), 'the logged notice');
  // Added today: progress counts only the day it has been on the list.
  await visible(page.getByText('Done on the day you added it.'), 'the progress');
  await page.getByText(/^Done 1 time/).click();
  await visible(page.getByText(HOMEWORK_NOTE), 'the note in the log');
  await checkA11y(page, 'homework (logged)');
  await screenshot(page, 'brief-homework-phone');

  await openFromNav(page, 'Home');
  const card = page.getByRole('region', { name: 'Homework' });
  await visible(card.getByText(HOMEWORK), 'the homework on the home page');
  await visible(card.getByText('Done today'), 'done today on the home page');
});

test('feedback for the therapist, tied to the session', async () => {
  await openFromNav(page, 'Agenda');
  await page.getByRole('link', { name: 'Feedback for your therapist' }).click();
  await visible(page.getByRole('heading', { name: 'Feedback for your therapist', level: 1 }), 'the feedback heading');
  await checkA11y(page, 'feedback (empty)');
  await page.getByRole('radio', { name: 'This helped: more of this' }).check();
  await page.getByLabel('Your note', { exact: true }).fill(FEEDBACK);
  await page.getByRole('button', { name: 'Save note' }).click();
  await visible(page.getByText(/Saved. It will be in your summary/), 'the saved notice');
  await visible(page.getByText(/^About the session on/), 'the session it is about');
  await checkA11y(page, 'feedback');
});

test('since my last session: on screen, then as a PDF', async () => {
  await openFromNav(page, 'Brief');
  await visible(page.getByRole('heading', { name: 'Since my last session', level: 1 }), 'the brief heading');
  assert.equal(await page.title(), 'Since my last session · Between');
  assert.equal(new URL(page.url()).pathname, '/brief');
  const agenda = page.getByRole('region', { name: 'To talk about' });
  assert.deepEqual(await agenda.getByRole('listitem').allTextContents(), [MANUAL_TOPIC, ENTRY_TOPIC]);
  const summary = (await page.locator('#mood-summary').textContent()).replace(/\s+/g, ' ').trim();
  assert.match(summary, /^Mood summary: 4 days with a check-in\. Average mood 5\.0\./);
  await visible(page.getByRole('img', { name: /^Mood from/ }), 'the mood chart, named');
  await visible(page.getByRole('table', { name: /Day by day/ }), 'the mood table');
  await visible(page.getByText(HOMEWORK), 'the homework');
  await visible(page.getByText(FEEDBACK), 'the feedback');
  await checkA11y(page, 'brief');
  await screenshot(page, 'brief-phone');

  // What "save as PDF" gives: Chromium's print rendering of the same page.
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'brief.pdf'), pdf);
  const { pages, text } = await pdfText(pdf);
  for (const expected of [MANUAL_TOPIC, ENTRY_TOPIC, summary, HOMEWORK, FEEDBACK, 'Since my last session']) {
    assert.ok(text.includes(expected), `the PDF lacks ${JSON.stringify(expected)}:\n${text}`);
  }
  for (const absent of ['Sign out', 'Choose other days', 'Print or save as PDF', 'Change the agenda']) {
    assert.ok(!text.includes(absent), `the PDF shows screen-only ${JSON.stringify(absent)}`);
  }
  assert.ok(pages <= 4, `the brief printed on ${pages} pages`);

  // The print rendering, for a person to look at.
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'brief-print');
  await page.emulateMedia({ media: 'screen' });
});

test('the brief on a desktop, and for chosen days', async () => {
  const desktop = await newDesktopContext(browser, { timezoneId: TZ, storageState: await context.storageState() });
  try {
    const wide = await desktop.newPage();
    await wide.goto(`${server.url}/brief`);
    await checkA11y(wide, 'brief (desktop)');
    await screenshot(wide, 'brief-desktop');
    await wide.getByText('Choose other days').click();
    await wide.getByLabel('From', { exact: true }).fill('2000-01-01');
    await wide.getByLabel('To', { exact: true }).fill('2001-06-01');
    await wide.getByRole('button', { name: 'Show these days' }).click();
    await visible(wide.getByText('Please choose at most 366 days.'), 'the range error');
    await checkA11y(wide, 'brief (range error)');
  } finally {
    await desktop.close();
  }
});

test('the check-in after the session marks what was talked about', async () => {
  await openFromNav(page, 'Sessions');
  await page.getByRole('link', { name: /^Reflect/ }).first().click();
  const agenda = page.getByRole('group', { name: 'Your agenda: we talked about this' });
  await visible(agenda, 'the agenda on the post-session check-in');
  await checkA11y(page, 'post-session check-in with the agenda');
  await agenda.getByRole('checkbox', { name: MANUAL_TOPIC }).check();
  await page.getByRole('button', { name: 'Save reflection' }).click();
  await visible(page.getByText(/Your reflection is saved/), 'the saved notice');
  await openFromNav(page, 'Agenda');
  assert.deepEqual(await page.locator('ol.agenda > li .topic').allTextContents(), [ENTRY_TOPIC]);
  await page.getByText('Discussed (1)').click();
  await visible(page.locator('details.more').getByText(MANUAL_TOPIC), 'the topic among the discussed');
});

test('every page had safe headers, and nothing written reached the log', async () => {
  const { checked } = await assertPageHeaders(recorder);
  assert.ok(checked >= 10, `only ${checked} pages were checked`);
  const log = server.log();
  for (const secret of [SEARCH_WORD, 'HERON-2290', HOMEWORK_NOTE, FEEDBACK, MANUAL_TOPIC]) {
    assert.ok(!log.includes(secret), `the server log contains ${JSON.stringify(secret)}`);
  }
});
