// "Untangle a thought" on a 390 px phone: a short thought record from the toolkit to "Save",
// step by step, with the taps counted; the same without JavaScript; brought to the agenda
// with one tap; seen in the brief and in its PDF. axe on the list, the form and the record,
// on a phone and on a desktop.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import {
  assertPageHeaders,
  checkA11y,
  fullPageShot,
  launchBrowser,
  newDesktopContext,
  newPhoneContext,
  recordPages,
} from '../lib/browser.mjs';
import { createAccount, newAccount, visible } from '../lib/flows.mjs';
import { RESULTS_DIR, startServer } from '../lib/server.mjs';

// Recognisable words, to find again on the agenda, in the brief and in its PDF.
const SITUATION = 'My friend HERON-4471 did not answer';
const THOUGHT = 'She is annoyed with me KESTREL-0917';
const BALANCED = 'She is probably busy PLOVER-3306';
const SITUATION_NO_JS = 'Lunch alone WREN-5520';
const THOUGHT_NO_JS = 'Nobody wants me there WREN-5520';
const BALANCED_NO_JS = 'Two people waved at me WREN-5520';
// Screenshots for people to look at, kept out of the repository.
const SHOTS = process.env.BETWEEN_TR_SHOTS || '/tmp/shots-thought';

let server;
let browser;
let context;
let recorder;
let page;

before(async () => {
  server = await startServer({ name: 'thought-record' });
  browser = await launchBrowser();
  context = await newPhoneContext(browser, { serviceWorkers: 'block' });
  context.setDefaultTimeout(15_000);
  recorder = recordPages(context);
  page = await context.newPage();
  await createAccount(page, server.url, newAccount('thought'));
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Counts the taps a person makes; typing on the keyboard is not counted as taps. */
function tapper(p) {
  const counter = {
    taps: 0,
    async tap(locator) {
      await locator.scrollIntoViewIfNeeded();
      await locator.tap();
      counter.taps += 1;
    },
    async tapAndType(locator, text) {
      await counter.tap(locator);
      await p.keyboard.type(text);
    },
  };
  return counter;
}

/** The steps that are on the screen (at least partly inside the viewport and shown). */
async function stepsOnScreen(p) {
  return p.evaluate(() =>
    Array.from(document.querySelectorAll('.tr-step'))
      .filter((s) => {
        const r = s.getBoundingClientRect();
        return r.height > 0 && r.bottom > 80 && r.top < window.innerHeight - 80;
      })
      .map((s) => s.id),
  );
}

/** Waits (briefly) until `id` is the one step on the screen, and says so when it isn't. */
async function expectOnly(p, id) {
  const deadline = Date.now() + 3_000;
  let seen = await stepsOnScreen(p);
  while (!(seen.length === 1 && seen[0] === id) && Date.now() < deadline) {
    await p.waitForTimeout(50);
    seen = await stepsOnScreen(p);
  }
  assert.deepEqual(seen, [id], `only ${id} is on the screen`);
}

/**
 * Fills in a short record the way a person on a phone would: what happened, one feeling
 * picked from the list and rated, the thought, three steps skipped, a fairer thought, the
 * feeling rated again, Save. Returns the number of taps.
 */
async function shortRecord(p, { situation, thought, balanced }, checkStep) {
  const t = tapper(p);
  await t.tap(p.getByRole('link', { name: /Untangle a thought/ }).first());
  await visible(p.getByRole('heading', { name: 'Untangle a thought', level: 1 }), 'the tool page');
  await t.tap(p.getByRole('link', { name: 'Start a new one' }));
  await visible(p.getByRole('heading', { name: 'What happened?' }), 'step 1');
  await checkStep('step-1');

  await t.tapAndType(p.getByLabel(/Where were you, who was there/), situation);
  await t.tap(p.locator('#step-1').getByRole('link', { name: /^Next/ }));
  await checkStep('step-2');

  await t.tap(p.getByRole('checkbox', { name: 'Anxious' }));
  await t.tapAndType(p.getByLabel(/How strong was “Anxious”/), '80');
  // The keyboard's Enter (or Go) sends nothing: only Save or Keep as a draft do.
  await p.keyboard.press('Enter');
  await p.waitForTimeout(300);
  assert.match(p.url(), /\/toolkit\/thought-record\/new/);
  assert.equal(await p.getByLabel(/How strong was “Anxious”/).inputValue(), '80');
  await t.tap(p.locator('#step-2').getByRole('link', { name: /^Next/ }));
  await checkStep('step-3');

  await t.tapAndType(p.getByLabel(/What went through your mind/), thought);
  await t.tap(p.locator('#step-3').getByRole('link', { name: /^Next/ }));
  await checkStep('step-4');
  // Three steps skipped: what supports it, what doesn't, thinking traps.
  await t.tap(p.locator('#step-4').getByRole('link', { name: /^Skip/ }));
  await checkStep('step-5');
  await t.tap(p.locator('#step-5').getByRole('link', { name: /^Skip/ }));
  await checkStep('step-6');
  await t.tap(p.locator('#step-6').getByRole('link', { name: /^Skip/ }));
  await checkStep('step-7');

  await t.tapAndType(p.getByLabel(/a fairer thought that takes in both sides/), balanced);
  await t.tap(p.locator('#step-7').getByRole('link', { name: /^Next/ }));
  await checkStep('step-8');

  // Only the feeling picked in step 2 is there to rate again.
  const rows = p.locator('#step-8 .tr-after-row');
  const shown = await rows.evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);
  assert.equal(shown, 1, 'one feeling to rate again');
  await t.tapAndType(p.getByLabel(/^Anxious now/), '40');
  await t.tap(p.getByRole('button', { name: 'Save', exact: true }));
  await visible(p.getByRole('heading', { name: 'A thought record', level: 1 }), 'the saved record');
  return t.taps;
}

test('a short thought record on a phone, one step at a time', async () => {
  await page.goto(`${server.url}/toolkit`);
  const taps = await shortRecord(page, { situation: SITUATION, thought: THOUGHT, balanced: BALANCED }, async (id) => {
    // With JavaScript one step shows at a time, and it is the one asked for.
    await expectOnly(page, id);
    if (id === 'step-1') {
      await checkA11y(page, 'thought record form (phone)');
      await page.screenshot({ path: path.join(SHOTS, 'form-390-step1.png') });
    }
    if (id === 'step-2') await page.screenshot({ path: path.join(SHOTS, 'form-390-step2.png') });
    if (id === 'step-6') {
      await page.getByText('What is “mind reading”?').tap();
      await checkA11y(page, 'thought record form, thinking traps (phone)');
      await page.screenshot({ path: path.join(SHOTS, 'form-390-step6.png') });
      await page.getByText('What is “mind reading”?').tap();
    }
    await expectOnly(page, id);
    if (id === 'step-8') await page.screenshot({ path: path.join(SHOTS, 'form-390-step8.png') });
  });
  console.log(`# taps to finish a short thought record on a phone (JavaScript on): ${taps}`);
  assert.ok(taps <= 16, `${taps} taps`);

  await visible(page.getByText('Feelings eased from 80 to 40 out of 100 on average (1 feeling).'), 'the change');
  await visible(page.getByText(THOUGHT), 'the thought');
  await visible(page.getByText(BALANCED), 'the balanced thought');
  await checkA11y(page, 'thought record (phone)');
  await fullPageShot(page, path.join(SHOTS, 'read-390.png'));

  // One tap puts it on the agenda.
  await page.getByRole('button', { name: 'Bring to my next session' }).tap();
  await visible(page.getByText('On your agenda', { exact: true }), '"On your agenda"');
  assert.equal(await page.getByRole('button', { name: 'Bring to my next session' }).count(), 0);
  await checkA11y(page, 'thought record on the agenda (phone)');

  // The use counts in "what works for me": distress 8 → 4.
  const uses = await (await page.request.get(`${server.url}/api/v1/coping-uses`)).json();
  const mine = uses.coping_uses.filter((u) => u.tool === 'thought-record');
  assert.equal(mine.length, 1);
  assert.deepEqual([mine[0].distress_before, mine[0].distress_after], [8, 4]);
});

test('the same without JavaScript: each step a screen, the links jump between them', async () => {
  const plain = await newPhoneContext(browser, {
    storageState: await context.storageState(),
    javaScriptEnabled: false,
    serviceWorkers: 'block',
  });
  try {
    const p = await plain.newPage();
    await p.goto(`${server.url}/toolkit`);
    const taps = await shortRecord(
      p,
      { situation: SITUATION_NO_JS, thought: THOUGHT_NO_JS, balanced: BALANCED_NO_JS },
      async (id) => {
        // The step asked for fills the screen from its top (step 1 sits below the heading).
        await expectOnly(p, id);
        if (id !== 'step-1') {
          const top = await p.locator(`#${id}`).evaluate((s) => s.getBoundingClientRect().top);
          assert.ok(Math.abs(top) < 2, `${id} starts at the top of the screen (${top})`);
        }
        if (id === 'step-2') await p.screenshot({ path: path.join(SHOTS, 'form-390-nojs-step2.png') });
      },
    );
    console.log(`# taps to finish a short thought record on a phone (no JavaScript): ${taps}`);
    assert.ok(taps <= 16, `${taps} taps`);
    await visible(p.getByText('Feelings eased from 80 to 40'), 'the change');
  } finally {
    await plain.close();
  }
});

test('a mistake is shown again with everything kept, and a draft waits', async () => {
  const p = page;
  await p.goto(`${server.url}/toolkit/thought-record/new#step-3`);
  await expectOnly(p, 'step-3');
  await p.getByLabel(/What went through your mind/).fill('kept words WREN');
  await p.locator('#step-3').getByRole('link', { name: 'Back' }).tap();
  await expectOnly(p, 'step-2');
  // Ticked, but not rated: even a draft asks how strong it was.
  await p.getByRole('checkbox', { name: 'Sad' }).tap();
  await p.locator('#step-2').getByRole('button', { name: 'Keep as a draft' }).tap();
  await visible(p.getByRole('link', { name: 'How strong was "Sad", from 0 to 100?' }), 'the error summary');
  // The step with the mistake is the one shown, and nothing typed is lost.
  await expectOnly(p, 'step-2');
  assert.equal(await p.getByLabel(/What went through your mind/).inputValue(), 'kept words WREN');
  assert.ok(await p.getByRole('checkbox', { name: 'Sad' }).isChecked());
  await checkA11y(p, 'thought record form with an error');
  await p.screenshot({ path: path.join(SHOTS, 'form-390-error.png') });
  await p.getByRole('link', { name: 'How strong was "Sad", from 0 to 100?' }).tap();
  await expectOnly(p, 'step-2');
  await p.getByLabel(/How strong was “Sad”/).fill('60');
  await p.locator('#step-2').getByRole('button', { name: 'Keep as a draft' }).tap();
  await visible(p.getByRole('heading', { name: 'Drafts to carry on' }), 'the drafts');
  await visible(p.getByText('kept words WREN'), 'the draft');
  await checkA11y(p, 'thought records with a draft');
});

/** The text of every page of a PDF, joined. */
async function pdfText(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => item.str).join(' '));
  }
  await doc.destroy();
  return pages.join('\n').replace(/\s+/g, ' ');
}

test('on the agenda, in the brief and in its PDF', async () => {
  await page.goto(`${server.url}/agenda`);
  await visible(page.getByText(THOUGHT), 'the topic');
  await visible(page.getByRole('link', { name: /Open the thought record/ }), 'the link back');
  await checkA11y(page, 'agenda with a thought record');

  await page.goto(`${server.url}/brief`);
  const part = page.getByRole('region', { name: 'Thoughts I untangled' });
  await visible(part, 'the thought records in the brief');
  await visible(part.getByText(THOUGHT), 'the thought in the brief');
  await visible(part.getByText(`A fairer thought: ${BALANCED}`), 'the balanced thought in the brief');
  await visible(part.getByText('Feelings eased from 80 to 40 out of 100 on average (1 feeling).'), 'the drop');
  await checkA11y(page, 'brief with thought records');

  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'brief-thought-record.pdf'), pdf);
  const text = await pdfText(pdf);
  for (const expected of ['Thoughts I untangled', THOUGHT, BALANCED, 'Feelings eased from 80 to 40']) {
    assert.ok(text.includes(expected), `the PDF lacks ${JSON.stringify(expected)}:\n${text}`);
  }
  assert.ok(!text.includes('Open my thought records'), 'screen-only link in the PDF');
});

test('the list, the form and a record on a desktop, axe clean', async () => {
  const desktop = await newDesktopContext(browser, { storageState: await context.storageState(), serviceWorkers: 'block' });
  try {
    const wide = await desktop.newPage();
    await wide.goto(`${server.url}/toolkit/thought-record`);
    await visible(wide.getByRole('heading', { name: 'Your thought records' }), 'the list');
    await checkA11y(wide, 'thought records (desktop)');
    await wide.screenshot({ path: path.join(SHOTS, 'list-1280.png'), fullPage: true });
    // Search runs from a POST; the words never reach the address.
    await wide.getByLabel('Search your thought records').fill('kestrel');
    await wide.getByRole('button', { name: 'Search' }).click();
    await visible(wide.getByRole('link', { name: THOUGHT }), 'the record found');
    assert.ok(!wide.url().toLowerCase().includes('kestrel'));
    await checkA11y(wide, 'thought record search (desktop)');

    await wide.getByRole('link', { name: THOUGHT }).click();
    await checkA11y(wide, 'thought record (desktop)');
    await wide.screenshot({ path: path.join(SHOTS, 'read-1280.png'), fullPage: true });
    await wide.getByRole('link', { name: 'Edit', exact: true }).click();
    // On a wide screen the steps flow down one page: no step links.
    assert.equal(await wide.getByRole('link', { name: /^Next/ }).filter({ visible: true }).count(), 0);
    assert.equal(await wide.getByLabel(/What went through your mind/).inputValue(), THOUGHT);
    await checkA11y(wide, 'thought record form (desktop)');
    await wide.screenshot({ path: path.join(SHOTS, 'form-1280.png'), fullPage: true });

    // Delete asks first, and needs no script.
    await wide.goto(`${server.url}/toolkit/thought-record`);
    await wide.getByRole('link', { name: THOUGHT_NO_JS }).click();
    await wide.getByRole('link', { name: 'Delete' }).click();
    await checkA11y(wide, 'delete a thought record (desktop)');
    await wide.getByRole('button', { name: 'Delete the thought record' }).click();
    await visible(wide.getByText('The thought record is deleted.'), 'the deleted notice');
    assert.equal(await wide.getByRole('link', { name: THOUGHT_NO_JS }).count(), 0);
  } finally {
    await desktop.close();
  }
  // And the list on a phone.
  await page.goto(`${server.url}/toolkit/thought-record`);
  await checkA11y(page, 'thought records (phone)');
  await fullPageShot(page, path.join(SHOTS, 'list-390.png'));
  await assertPageHeaders(recorder);
});

test('the server log holds nothing written in a thought record', async () => {
  await server.stop();
  const log = server.log();
  for (const word of ['HERON-4471', 'KESTREL-0917', 'PLOVER-3306', 'WREN-5520', 'kept words', 'kestrel']) {
    assert.ok(!log.includes(word), `${word} is not in the log`);
  }
});
