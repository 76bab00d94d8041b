// The coping toolkit on a phone: box breathing guided from start to finish with the clock
// fast-forwarded, rated before and after, and the ranking changing as a result; every tool
// completed in the browser; reduced motion, no JavaScript, the strict CSP and axe on the way.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  assertPageHeaders,
  checkA11y,
  launchBrowser,
  newPhoneContext,
  recordPages,
  screenshot,
} from '../lib/browser.mjs';
import { createAccount, newAccount, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const TOOLS = [
  'box-breathing',
  'breathing-4-7-8',
  'grounding-5-4-3-2-1',
  'sensory-reset',
  'guided-imagery',
  'progressive-muscle-relaxation',
  'body-scan',
  'movement-break',
  'park-it',
  'two-good-things',
  'self-compassion',
  'self-care',
  'distraction',
];
const KIND_WORDS = 'HERON-KIND-4471 You are doing your best';
const PARKED = 'HERON-PARKED-2291 what my sister said';
const BEFORE = 'How distressed do you feel right now?';
const AFTER = 'How distressed do you feel now?';

let server;
let browser;
let context;
let recorder;
let page;

before(async () => {
  server = await startServer({ name: 'toolkit' });
  browser = await launchBrowser();
  // The offline worker would answer some requests itself, out of sight of the header
  // recorder and of page.route; these tests are about the toolkit, online.
  context = await newPhoneContext(browser, { serviceWorkers: 'block' });
  context.setDefaultTimeout(15_000);
  recorder = recordPages(context);
  page = await context.newPage();
  await createAccount(page, server.url, newAccount('toolkit'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const rate = (p, legend, value) =>
  p.getByRole('group', { name: legend }).getByRole('radio', { name: String(value), exact: true }).check();

/** Records uses through the API as an app would; the page's cookies sign the requests. */
async function seedUses(tool, pairs) {
  for (const [before, after] of pairs) {
    const res = await page.request.post(`${server.url}/api/v1/coping-uses`, {
      data: { client_id: randomUUID(), tool, distress_before: before, distress_after: after },
    });
    assert.equal(res.status(), 201, `seeding ${tool}: ${await res.text()}`);
  }
}

/** The tool names in the "What works for me" ranking, best first. */
async function ranking(p) {
  return p.locator('.ranking > li > a').allTextContents();
}

async function stageOf(p) {
  return p.locator('[data-player]').getAttribute('data-stage');
}

// Real time in Node: the page's own timers are fake and held, so page.waitForTimeout would wait forever.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops the page's fake clock from also running on its own, so only runFor moves it. */
async function holdClock(p) {
  const now = await p.evaluate(() => Date.now());
  await p.clock.pauseAt(now + 1_000);
}

/**
 * A page signed in as the same person, in a context of its own with a fake clock: the
 * clock belongs to the whole context, and a held one would stall every other page in it.
 */
async function clockedPage(options = {}) {
  const ctx = await newPhoneContext(browser, { serviceWorkers: 'block', ...options });
  ctx.setDefaultTimeout(15_000);
  await ctx.addCookies(await context.cookies());
  const p = await ctx.newPage();
  await p.clock.install();
  return p;
}

/** axe waits on the page's timers, so the held clock runs while it checks, then is held again. */
async function checkA11yHeld(p, label) {
  await p.clock.resume();
  await checkA11y(p, label);
  await holdClock(p);
}

test('the toolkit is in the navigation and starts by learning', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Toolkit' }).click();
  await visible(page.getByRole('heading', { name: 'Toolkit', level: 1 }), 'the Toolkit page');
  await visible(page.getByText("Try a few and we'll learn what helps you"), 'the friendly learning message');
  for (const tool of TOOLS) {
    assert.equal(await page.locator(`a[href="/toolkit/${tool}"]`).count() > 0, true, `${tool} is listed`);
  }
  await checkA11y(page, 'toolkit, nothing learned yet');
  await screenshot(page, 'toolkit-01-start');
});

test('box breathing, guided with the clock fast-forwarded, rated before and after, changes the ranking', async () => {
  // Grounding has helped a little three times; box breathing a lot, but only twice so far.
  await seedUses('grounding-5-4-3-2-1', [[6, 5], [6, 5], [7, 6]]);
  await seedUses('box-breathing', [[7, 4], [8, 5]]);
  const page = await clockedPage();
  await page.goto(`${server.url}/toolkit`);
  assert.deepEqual(await ranking(page), ['5-4-3-2-1 grounding'], 'only grounding is ranked yet');
  await visible(page.getByText('Box breathing (2 of 3)'), 'box breathing still being learned');

  await page.getByRole('link', { name: 'Box breathing' }).first().click();
  await visible(page.getByRole('heading', { name: 'Box breathing', level: 1 }), 'the box breathing player');
  await holdClock(page);
  await visible(page.getByRole('button', { name: 'Start' }), 'the Start button (the script is running)');
  await checkA11yHeld(page, 'box breathing, before starting');
  await screenshot(page, 'toolkit-02-box-before');

  await rate(page, BEFORE, 8);
  await page.getByLabel('How many rounds?').selectOption('2');
  await page.getByRole('button', { name: 'Start' }).click();
  assert.equal(await stageOf(page), 'play');
  const live = page.locator('[data-announce]');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  assert.equal(await live.textContent(), 'Round 1 of 2. Breathe in');
  await visible(page.locator('[data-phase]').filter({ hasText: 'Breathe in' }), 'the "Breathe in" phase');
  assert.equal(await page.locator('[data-count]').textContent(), '4');
  assert.ok(await page.locator('[data-pacer]').isVisible(), 'the breathing circle shows');
  assert.match(await page.locator('[data-pacer]').getAttribute('class'), /cue-in.*dur-4/);

  // The count goes down each second; the live region stays on the phase.
  await page.clock.runFor(1000);
  assert.equal(await page.locator('[data-count]').textContent(), '3');
  assert.equal(await live.textContent(), 'Round 1 of 2. Breathe in');
  await sleep(1500); // the animation runs on real time; let it reach mid-breath
  await screenshot(page, 'toolkit-03-box-breathing-in');
  // Checked while paused, so the real time axe takes does not move the exercise on.
  await page.getByRole('button', { name: 'Pause' }).click();
  await checkA11yHeld(page, 'box breathing, in progress (paused)');
  await page.getByRole('button', { name: 'Resume' }).click();

  await page.clock.runFor(3000);
  assert.equal(await live.textContent(), 'Hold');
  assert.match(await page.locator('[data-pacer]').getAttribute('class'), /cue-hold lungs-full/);

  // Pause holds everything; Resume carries on from the same place.
  await page.getByRole('button', { name: 'Pause' }).click();
  await visible(page.getByRole('button', { name: 'Resume' }), 'the Resume button');
  const count = await page.locator('[data-count]').textContent();
  await page.clock.runFor(30_000);
  assert.equal(await page.locator('[data-count]').textContent(), count, 'paused');
  assert.equal(await page.locator('[data-phase]').textContent(), 'Hold');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.clock.runFor(4000);
  assert.equal(await page.locator('[data-phase]').textContent(), 'Breathe out');
  await page.clock.runFor(8000);
  assert.equal(await live.textContent(), 'Round 2 of 2. Breathe in');
  assert.equal(await page.locator('[data-where]').textContent(), 'Round 2 of 2');

  await page.clock.runFor(16_000);
  assert.equal(await stageOf(page), 'after');
  await visible(page.getByText('Well done: you finished Box breathing.'), 'the "well done" line');
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'after-h',
    'focus moves to the question after the exercise',
  );
  assert.ok(await page.locator('input[name="started_at"]').inputValue(), 'the start time is recorded');
  await rate(page, AFTER, 3);
  await checkA11yHeld(page, 'box breathing, after');
  await screenshot(page, 'toolkit-04-box-after');

  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL((url) => url.pathname === '/toolkit');
  await visible(
    page.getByRole('status').filter({ hasText: 'Box breathing: distress 8 before, 3 after' }),
    'the saved notice with both ratings',
  );
  assert.deepEqual(
    await ranking(page),
    ['Box breathing', '5-4-3-2-1 grounding'],
    'box breathing now ranks first',
  );
  await visible(page.getByText('eased distress by 3.7 on average · 3 rated of 3 uses'), 'the mean relief (3 + 3 + 5) / 3');
  await checkA11yHeld(page, 'toolkit with a ranking');
  await screenshot(page, 'toolkit-05-ranking');
  await page.context().close();
});

test('every tool can be completed in the browser', async () => {
  const p = await clockedPage();
  for (const tool of TOOLS) {
    await p.goto(`${server.url}/toolkit/${tool}`);
    await holdClock(p);
    await rate(p, BEFORE, 6);
    await p.getByRole('button', { name: 'Start' }).click();
    let written = 0;
    for (let guard = 0; guard < 60 && (await stageOf(p)) === 'play'; guard += 1) {
      // A writing step puts the cursor in its empty box.
      const focused = await p.evaluate(
        () => (document.activeElement?.hasAttribute('data-write') ?? false) && document.activeElement.value === '',
      );
      if (focused) {
        written += 1;
        await p.keyboard.type(tool === 'park-it' ? PARKED : `good thing ${written}`);
      }
      const waiting = (await p.locator('[data-count-text]').textContent()).startsWith('Take your time');
      if (waiting) {
        await p.locator('[data-next]').click();
      } else {
        await p.clock.runFor(60_000);
      }
    }
    assert.equal(await stageOf(p), 'after', `${tool} reaches its end`);
    await visible(p.getByText(/^Well done: you finished /), `the end of ${tool}`);
    if (tool === 'park-it' || tool === 'two-good-things') {
      assert.ok(written > 0, `${tool} asked for writing`);
    }
    if (tool === 'progressive-muscle-relaxation' || tool === 'two-good-things') {
      await checkA11yHeld(p, `${tool}, after`);
    }
    await rate(p, AFTER, 4);
    await Promise.all([
      p.waitForURL((url) => url.pathname === '/toolkit', { waitUntil: 'domcontentloaded' }),
      p.getByRole('button', { name: 'Save' }).click(),
    ]).catch((err) => assert.fail(`saving ${tool} did not return to the toolkit (${p.url()}): ${err.message}`));
    await visible(p.getByRole('status'), `the saved notice after ${tool}`);
  }
  await p.goto(`${server.url}/agenda`);
  await visible(p.getByText(PARKED).first(), 'the parked thought on the agenda');
  await p.context().close();
});

test('a self-compassion break goes round twice and keeps its kind words', async () => {
  const p = await clockedPage();
  await p.goto(`${server.url}/toolkit/self-compassion`);
  await holdClock(p);
  await checkA11yHeld(p, 'self-compassion, before');
  await rate(p, BEFORE, 7);
  await p.getByLabel('How many rounds?').selectOption('2');
  await p.getByRole('button', { name: 'Start' }).click();
  assert.equal(await p.locator('[data-where]').textContent(), 'Round 1 of 2 · Step 1 of 6');
  await p.clock.runFor(20_000);
  await visible(p.locator('[data-step-text]').filter({ hasText: 'Bring to mind what is hard' }), 'the first movement');
  await p.getByRole('button', { name: 'Pause' }).click();
  await p.clock.runFor(120_000);
  await visible(p.locator('[data-step-text]').filter({ hasText: 'Bring to mind what is hard' }), 'still there while paused');
  await screenshot(p, 'toolkit-12-self-compassion-paused');
  await p.getByRole('button', { name: 'Resume' }).click();
  for (let guard = 0; guard < 30 && (await stageOf(p)) === 'play'; guard += 1) {
    if ((await p.locator('[data-where]').textContent()) === 'Round 2 of 2 · Step 1 of 6') break;
    await p.clock.runFor(10_000);
  }
  assert.equal(await p.locator('[data-where]').textContent(), 'Round 2 of 2 · Step 1 of 6', 'a second round');
  await p.clock.runFor(300_000);
  assert.equal(await stageOf(p), 'after');
  await visible(p.getByText('Well done: you finished Self-compassion break.'), 'the end of both rounds');
  await rate(p, AFTER, 4);
  await p.getByLabel('One kind sentence to yourself (optional)').fill(KIND_WORDS);
  await p.getByLabel(/Keep it on my self-care list/).check();
  await checkA11yHeld(p, 'self-compassion, after');
  await screenshot(p, 'toolkit-13-self-compassion-after');
  await Promise.all([
    p.waitForURL((url) => url.pathname === '/toolkit', { waitUntil: 'domcontentloaded' }),
    p.getByRole('button', { name: 'Save' }).click(),
  ]);
  await visible(
    p.getByRole('status').filter({ hasText: 'Your kind words are on your self-care list.' }),
    'the notice that the words were kept',
  );
  await p.goto(`${server.url}/toolkit/lists`);
  assert.equal(await p.getByLabel('Item 1 on my self-care list').inputValue(), KIND_WORDS);
  await p.context().close();
});

test('a guided step shows its instruction and a calm countdown', async () => {
  const p = await clockedPage();
  await p.goto(`${server.url}/toolkit/grounding-5-4-3-2-1`);
  await holdClock(p);
  await p.getByRole('button', { name: 'Start' }).click();
  await p.clock.runFor(10_000);
  await visible(p.locator('[data-step-text]').filter({ hasText: 'name five things you can see' }), 'the second step');
  assert.equal(await p.locator('[data-announce]').textContent(), 'Look around and name five things you can see.');
  assert.equal(await p.locator('[data-where]').textContent(), 'Step 2 of 7');
  assert.equal(await p.locator('[data-count-text]').textContent(), '45 seconds left');
  await screenshot(p, 'toolkit-06-grounding');
  await p.getByRole('button', { name: 'Pause' }).click();
  await checkA11yHeld(p, 'grounding, in progress (paused)');
  await p.context().close();
});

test('with reduced motion the pacer is a still text countdown', async () => {
  const p = await clockedPage({ reducedMotion: 'reduce' });
  await p.goto(`${server.url}/toolkit/breathing-4-7-8`);
  await holdClock(p);
  await p.getByRole('button', { name: 'Start' }).click();
  await p.clock.runFor(4000);
  assert.equal(await p.locator('[data-phase]').textContent(), 'Hold');
  assert.equal(await p.locator('[data-pacer]').isVisible(), false, 'no moving circle');
  await visible(p.locator('[data-count-text]').filter({ hasText: /^7$/ }), 'the number 7 as text');
  await checkA11yHeld(p, '4-7-8 with reduced motion');
  await screenshot(p, 'toolkit-07-478-reduced-motion');
  await p.context().close();
});

test('in dark mode the player stays calm and readable', async () => {
  const p = await clockedPage({ colorScheme: 'dark' });
  await p.goto(`${server.url}/toolkit/breathing-4-7-8`);
  await holdClock(p);
  await p.getByRole('button', { name: 'Start' }).click();
  await p.clock.runFor(5000);
  await sleep(500);
  await checkA11yHeld(p, '4-7-8 in dark mode');
  await screenshot(p, 'toolkit-08-478-dark');
  await p.context().close();
});

test('without JavaScript the steps are readable and a use can be saved', async () => {
  const plain = await newPhoneContext(browser, { javaScriptEnabled: false, serviceWorkers: 'block' });
  await plain.addCookies(await context.cookies());
  const p = await plain.newPage();
  await p.goto(`${server.url}/toolkit/body-scan`);
  const steps = p.locator('ol.steps > li');
  assert.equal(await steps.count(), 10);
  await visible(steps.first().filter({ hasText: '(20 seconds)' }), 'the first step with its duration');
  assert.equal(await p.getByRole('button', { name: 'Start' }).isVisible(), false, 'no Start without script');
  assert.equal(await p.locator('.stage-play').isVisible(), false, 'no player without script');
  await screenshot(p, 'toolkit-09-no-js');
  await rate(p, BEFORE, 5);
  await rate(p, AFTER, 2);
  await p.getByRole('button', { name: 'Save' }).click();
  await p.waitForURL((url) => url.pathname === '/toolkit');
  await visible(p.getByText('Body scan: distress 5 before, 2 after'), 'the saved notice');
  await plain.close();

  // axe needs script, so check the same script-less layout with only player.js held back.
  const noPlayer = await context.newPage();
  await noPlayer.route(/\/static\/player\.js/, (route) => route.abort());
  await noPlayer.goto(`${server.url}/toolkit/park-it`);
  assert.equal(await noPlayer.locator('.stage-play').isVisible(), false);
  await visible(noPlayer.getByLabel("What's on your mind?"), 'the writing box, shown with the steps');
  await checkA11y(noPlayer, 'park it, as it reads without the player script');
  await noPlayer.close();
});

test('the player runs under the strict CSP with nothing blocked', async () => {
  const p = await clockedPage({ bypassCSP: false });
  const violations = [];
  p.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  await p.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await p.goto(`${server.url}/toolkit/box-breathing`);
  await holdClock(p);
  await p.getByRole('button', { name: 'Start' }).click();
  await p.clock.runFor(6000);
  assert.equal(await p.locator('[data-phase]').textContent(), 'Hold');
  // Holding after breathing in, the stylesheet keeps the disc at full size.
  const transform = await p.locator('.pacer-disc').evaluate((el) => getComputedStyle(el).transform);
  assert.equal(transform, 'matrix(1, 0, 0, 1, 0, 0)', 'the pacer is styled from the stylesheet');
  const pageViolations = await p.evaluate(() => window.__cspViolations);
  assert.deepEqual([...violations, ...pageViolations], [], 'CSP violations');
  await p.context().close();
});

test('my self-care and distraction lists', async () => {
  await page.goto(`${server.url}/toolkit/lists`);
  // The kind words kept from the self-compassion break come first; make room below them.
  await page.getByRole('button', { name: 'Remove item 1' }).click();
  await page.getByLabel('Add to my self-care list').fill('A warm bath');
  await page.getByRole('button', { name: 'Add', exact: true }).first().click();
  await page.getByLabel('Add to my self-care list').fill('My book');
  await page.getByRole('button', { name: 'Add', exact: true }).first().click();
  await page.getByRole('button', { name: 'Move up item 2' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Moved.' }), 'the "Moved." notice');
  assert.equal(await page.getByLabel('Item 1 on my self-care list').inputValue(), 'My book');
  await checkA11y(page, 'my lists');
  await screenshot(page, 'toolkit-10-lists');
  await page.goto(`${server.url}/toolkit/self-care`);
  await visible(page.getByRole('listitem').filter({ hasText: /^My book$/ }), 'my list on the self-care tool');
  await checkA11y(page, 'self-care tool');
});

test('the home page offers tools, and every toolkit page has the security headers', async () => {
  await page.goto(`${server.url}/`);
  await visible(page.getByRole('heading', { name: 'What has helped you' }), 'the toolkit card with what helped');
  await visible(page.locator('.toolkit-card a[href="/toolkit/box-breathing"]'), 'box breathing offered first');
  await checkA11y(page, 'home with the toolkit card');
  await screenshot(page, 'toolkit-11-home');
  const { signedIn } = await assertPageHeaders(recorder);
  assert.ok(signedIn >= 6, `signed-in pages checked (${signedIn})`);
});

test('the server log holds nothing written in the toolkit', async () => {
  await server.stop();
  const log = server.log();
  assert.ok(!log.includes('HERON-PARKED'), 'the parked thought is not in the log');
  assert.ok(!/good thing \d/.test(log), 'the good things are not in the log');
  assert.ok(!log.includes('HERON-KIND'), 'the kind words are not in the log');
  assert.ok(!log.includes('saved=1'), 'query strings are not logged');
});
