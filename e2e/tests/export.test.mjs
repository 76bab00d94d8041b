// Settings → "Your data": a person downloads everything they keep (the file is JSON holding
// the check-in just made), then brings it into a new account with the plain upload form,
// without JavaScript; the page is accessible on a phone and a laptop.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  checkA11y,
  fullPageShot,
  launchBrowser,
  newDesktopContext,
  newPhoneContext,
} from '../lib/browser.mjs';
import { expectHome, fillSignup, newAccount, openFromNav, signup, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const SHOTS = '/tmp/shots-export';
const NOTE = 'KESTREL-7731 walked by the river, "slowly", and felt a bit better';

let server;
let browser;
let downloaded;
let downloads;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  downloads = mkdtempSync(path.join(tmpdir(), 'between-export-'));
  server = await startServer({ name: 'export', args: ['--open-signup'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

/** Signs up a new account on the sign-up page (the server lets anyone sign up). */
async function createAccount(page, baseUrl, account) {
  await page.goto(`${baseUrl}/signup`);
  await fillSignup(page, account);
  await signup.submit(page).click();
  await expectHome(page);
}

/** Opens Settings from the navigation, then "Your data" from there. */
async function openYourData(page) {
  await openFromNav(page, 'Settings');
  await page.getByRole('link', { name: 'Download or import your data' }).click();
  await visible(page.getByRole('heading', { name: 'Your data', level: 1 }), 'the "Your data" heading');
}

test('a check-in, then Settings → Your data → download: a JSON file holding it', async () => {
  const context = await newPhoneContext(browser, { serviceWorkers: 'block', acceptDownloads: true });
  const page = await context.newPage();
  await createAccount(page, server.url, newAccount('export'));
  await page.getByRole('link', { name: 'Check in', exact: true }).first().click();
  await page.getByRole('group', { name: 'Mood' }).getByRole('radio', { name: '4', exact: true }).check();
  await page.getByLabel('Note (optional)').fill(NOTE);
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await visible(page.getByRole('status').filter({ hasText: /saved/i }), 'the check-in saved');

  await openYourData(page);
  await checkA11y(page, 'your data (390 px)');
  await fullPageShot(page, `${SHOTS}/your-data-390.png`);
  // The download comes first on a phone's screen, without scrolling.
  const button = page.getByRole('link', { name: 'Download all my data' });
  const box = await button.boundingBox();
  assert.ok(box && box.y + box.height <= 844, `the download is on the first screen (${JSON.stringify(box)})`);
  assert.ok(box.height >= 44, 'a target at least 44 px tall');

  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  assert.match(download.suggestedFilename(), /^between-export-\d{4}-\d{2}-\d{2}\.json$/);
  // Kept beyond this browser context, which deletes its downloads when it closes.
  downloaded = path.join(downloads, download.suggestedFilename());
  await download.saveAs(downloaded);
  const doc = JSON.parse(readFileSync(downloaded, 'utf8'));
  assert.equal(doc.format, 'between-export');
  assert.equal(doc.version, 1);
  assert.equal(doc.data.checkins.length, 1);
  assert.equal(doc.data.checkins[0].mood, 4);
  assert.equal(doc.data.checkins[0].note, NOTE);
  assert.ok(!('password_hash' in doc.profile), 'no password hash');

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Check-ins only, as a spreadsheet (CSV)' }).click(),
  ]);
  assert.match(csv.suggestedFilename(), /^between-checkins-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.ok(text.startsWith('id,at,mood,'), text);
  assert.ok(text.includes('"KESTREL-7731 walked by the river, ""slowly"", and felt a bit better"'), text);
  await context.close();
});

test('the download goes into a new account with the upload form, without JavaScript', async () => {
  assert.ok(downloaded, 'the download from the test before');
  const context = await newPhoneContext(browser, { serviceWorkers: 'block', javaScriptEnabled: false });
  const page = await context.newPage();
  await createAccount(page, server.url, newAccount('import'));
  await openYourData(page);
  await page.getByLabel('Your downloaded file').setInputFiles(downloaded);
  await page.getByRole('button', { name: 'Import my data' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Your data is imported' }), 'the "imported" notice');
  await fullPageShot(page, `${SHOTS}/your-data-imported-390.png`);

  await openFromNav(page, 'History');
  await visible(page.getByText('KESTREL-7731'), 'the imported check-in\'s note in the history');

  // Once the account holds data, a second import is refused, plainly, and changes nothing.
  await openYourData(page);
  await page.getByLabel('Your downloaded file').setInputFiles(downloaded);
  await page.getByRole('button', { name: 'Import my data' }).click();
  await visible(page.getByRole('alert').filter({ hasText: 'already holds data' }), 'the "already holds data" message');
  await fullPageShot(page, `${SHOTS}/your-data-refused-390.png`);
  await context.close();
});

test('Your data on a laptop: accessible, with a problem said plainly', async () => {
  const context = await newDesktopContext(browser, { serviceWorkers: 'block' });
  const page = await context.newPage();
  await createAccount(page, server.url, newAccount('export-wide'));
  await openYourData(page);
  await checkA11y(page, 'your data (1280 px)');
  await fullPageShot(page, `${SHOTS}/your-data-1280.png`);
  // A file that is not a Between download.
  await page.getByLabel('Your downloaded file').setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format": "something else"}'),
  });
  await page.getByRole('button', { name: 'Import my data' }).click();
  await visible(page.getByRole('alert').filter({ hasText: 'This file is not a Between download' }), 'the problem, said plainly');
  await checkA11y(page, 'your data with a problem (1280 px)');
  await fullPageShot(page, `${SHOTS}/your-data-problem-1280.png`);
  await context.close();
});
