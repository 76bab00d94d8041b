// PHQ-9 and GAD-7 in a browser: one question per screen on a phone, all on one page on a
// wide screen, a plain form without JavaScript, and a PHQ-9 whose item 9 is above 0 leading
// straight to the crisis path before any score.
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
import { createAccount, newAccount, openFromNav, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const PHQ9_STEM = 'Over the last 2 weeks, how often have you been bothered by any of the following problems?';
const ITEM9 = 'Thoughts that you would be better off dead or of hurting yourself in some way';

let server;
let browser;
let phone;
let recorder;
let page;

before(async () => {
  server = await startServer({ name: 'questionnaire' });
  browser = await launchBrowser();
  phone = await newPhoneContext(browser, { timezoneId: 'Europe/London' });
  phone.setDefaultTimeout(15_000);
  recorder = recordPages(phone);
  page = await phone.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The question groups (fieldsets) that a person can see right now. */
async function visibleQuestions(p) {
  return p.locator('fieldset.q-item:visible').count();
}

/** Chooses an answer in the one visible question and presses Next. */
async function answerAndNext(p, answer) {
  const group = p.locator('fieldset.q-item:visible');
  await group.getByRole('radio', { name: answer, exact: true }).check();
  await p.getByRole('button', { name: 'Next', exact: true }).click();
}

test('on a phone the PHQ-9 goes one question at a time, and item 9 leads to the crisis path first', async () => {
  await createAccount(page, server.url, newAccount('questionnaire'));
  await visible(page.getByRole('heading', { name: 'Two short questionnaires' }), 'the gentle questionnaire card on home');
  await checkA11y(page, 'home with the questionnaire card');
  await screenshot(page, 'questionnaire-01-home-phone');

  await openFromNav(page, 'Questionnaires');
  await visible(page.getByRole('heading', { name: 'Questionnaires', level: 1 }), 'the questionnaires overview');
  await checkA11y(page, '/questionnaires (empty)');
  await screenshot(page, 'questionnaire-02-overview-empty-phone');

  await page.getByRole('link', { name: /Start the PHQ-9/ }).click();
  await visible(page.getByText(PHQ9_STEM), 'the PHQ-9 question stem');
  await visible(page.getByText('Question 1 of 9'), 'the step counter');
  assert.equal(await visibleQuestions(page), 1, 'one question per screen on a phone');
  assert.equal(await page.getByRole('button', { name: 'See my result' }).isVisible(), false);
  await checkA11y(page, '/questionnaires/phq9 (step 1)');
  await screenshot(page, 'questionnaire-03-phq9-step1-phone');

  // Next without an answer says so, and stays.
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await visible(page.getByText('Please choose an answer to go on.'), 'the "choose an answer" message');
  assert.equal(await page.getByText('Question 1 of 9').count(), 1);

  // Keyboard: an arrow key picks an answer, Enter moves on.
  await page.locator('fieldset.q-item:visible input[type=radio]').first().focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await visible(page.getByText('Question 2 of 9'), 'question 2 after Enter');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await visible(page.getByText('Question 1 of 9'), 'back to question 1');
  assert.equal(
    await page.locator('fieldset.q-item:visible').getByRole('radio', { name: 'Several days', exact: true }).isChecked(),
    true,
    'the keyboard choice is kept',
  );
  await page.getByRole('button', { name: 'Next', exact: true }).click();

  for (const answer of ['More than half the days', 'Several days', 'Nearly every day', 'Not at all', 'Several days', 'Not at all', 'Not at all']) {
    await answerAndNext(page, answer);
  }
  await visible(page.getByText('Question 9 of 9'), 'question 9');
  await visible(page.getByRole('group', { name: new RegExp(ITEM9) }), 'the exact wording of item 9');
  await answerAndNext(page, 'Several days');

  await visible(page.getByText('One last question, optional'), 'the difficulty step');
  await visible(page.getByText('If you checked off any problems, how difficult have these problems made it for you'), 'the difficulty question');
  await checkA11y(page, '/questionnaires/phq9 (difficulty step)');
  await screenshot(page, 'questionnaire-04-phq9-difficulty-phone');
  await page.locator('fieldset.q-item:visible').getByRole('radio', { name: 'Somewhat difficult', exact: true }).check();
  await page.getByRole('button', { name: 'See my result' }).click();

  // The crisis path, at once, and before anything else on the page.
  await page.waitForURL(/\/help\?from=questionnaire$/);
  const alert = page.getByRole('alert').filter({ hasText: 'better off dead' });
  await visible(alert, 'the kind, urgent message');
  const order = await page.evaluate(() => {
    const main = document.querySelector('main');
    const message = [...main.querySelectorAll('[role=alert]')].find((e) => e.textContent.includes('better off dead'));
    const emergency = main.querySelector('.emergency');
    const firstBlock = main.querySelector('h1').nextElementSibling;
    return {
      messageBeforeEmergency: !!(message.compareDocumentPosition(emergency) & Node.DOCUMENT_POSITION_FOLLOWING),
      messageIsFirst: firstBlock === message,
      score: /\b\d+ out of 27\b/.test(main.textContent),
    };
  });
  assert.ok(order.messageIsFirst, 'the message comes right after the heading');
  assert.ok(order.messageBeforeEmergency, 'then the emergency number');
  assert.equal(order.score, false, 'no score before the crisis path');
  await visible(page.locator('a[href="tel:116123"]'), 'the Samaritans line for a GB account');
  await checkA11y(page, '/help?from=questionnaire');
  await screenshot(page, 'questionnaire-05-crisis-phone');

  const guidance = await (await page.request.get(`${server.url}/api/v1/guidance`)).json();
  assert.equal(guidance.level, 'urgent');
  assert.equal(guidance.reasons[0].code, 'phq9_item9');

  await page.getByRole('link', { name: 'see your questionnaire result' }).click();
  await visible(page.getByRole('heading', { name: 'Questionnaires', level: 1 }), 'the overview after the crisis page');
  await page.getByRole('link', { name: /See this result/ }).first().click();
  await visible(page.getByRole('heading', { name: 'Please talk to someone now' }), 'the crisis box on the result page');
  await visible(page.getByText('A screening result to discuss with your therapist, not a diagnosis.'), 'the screening label');
  await checkA11y(page, 'PHQ-9 result with item 9');
  await screenshot(page, 'questionnaire-06-phq9-result-phone');
});

test('on a wide screen the GAD-7 shows every question at once and leads to the result', async () => {
  const desktop = await newDesktopContext(browser, { storageState: await phone.storageState(), timezoneId: 'Europe/London' });
  const wide = await desktop.newPage();
  try {
    await wide.goto(`${server.url}/questionnaires/gad7`);
    await visible(wide.getByText('Over the last 2 weeks, how often have you been bothered by the following problems?'), 'the GAD-7 stem');
    assert.equal(await visibleQuestions(wide), 7, 'all seven questions on one page');
    assert.equal(await wide.getByRole('button', { name: 'Next', exact: true }).isVisible(), false);
    await checkA11y(wide, '/questionnaires/gad7 (desktop)');
    await screenshot(wide, 'questionnaire-07-gad7-desktop');

    // Sending it half done names the missing questions and keeps the answers.
    const groups = wide.locator('fieldset.q-item');
    for (let i = 0; i < 5; i += 1) {
      await groups.nth(i).getByRole('radio', { name: i < 3 ? 'More than half the days' : 'Several days', exact: true }).check();
    }
    await wide.getByRole('button', { name: 'See my result' }).click();
    await visible(wide.getByText('Please check 2 things'), 'the problem summary');
    await visible(wide.getByRole('link', { name: 'Please answer question 6.' }), 'a link to question 6');
    assert.equal(await groups.nth(0).getByRole('radio', { name: 'More than half the days', exact: true }).isChecked(), true);
    await checkA11y(wide, '/questionnaires/gad7 (errors)');

    await groups.nth(5).getByRole('radio', { name: 'Several days', exact: true }).check();
    await groups.nth(6).getByRole('radio', { name: 'Not at all', exact: true }).check();
    await wide.getByRole('button', { name: 'See my result' }).click();
    await wide.waitForURL(/\/questionnaires\/results\/\d+$/);
    await visible(wide.getByRole('heading', { name: 'Your GAD-7 result' }), 'the GAD-7 result');
    await visible(wide.getByText('On the GAD-7, 5 to 9 is the mild range.'), 'the band in plain words');
    await visible(wide.getByText('A screening result to discuss with your therapist, not a diagnosis.'), 'the screening label');
    await visible(wide.getByRole('img', { name: /GAD-7 scores over time/ }), 'the history chart');
    await checkA11y(wide, 'GAD-7 result (desktop)');
    await screenshot(wide, 'questionnaire-08-gad7-result-desktop');

    // A second GAD-7 through the API, so the overview shows a change and a chart line.
    const res = await wide.request.post(`${server.url}/api/v1/questionnaires`, {
      data: { client_id: randomUUID(), instrument: 'gad7', answers: [3, 3, 2, 2, 2, 1, 1] },
    });
    assert.equal(res.status(), 201, await res.text());
    assert.equal((await res.json()).total, 14);
    await wide.goto(`${server.url}/questionnaires`);
    await visible(wide.getByText('A rise worth talking about').first(), 'the change category, in plain words');
    await checkA11y(wide, '/questionnaires (desktop, with history)');
    await screenshot(wide, 'questionnaire-09-overview-desktop');
  } finally {
    await desktop.close();
  }
});

test('without JavaScript every question shows and the form still works', async () => {
  const plain = await newPhoneContext(browser, { storageState: await phone.storageState(), javaScriptEnabled: false });
  const p = await plain.newPage();
  try {
    await p.goto(`${server.url}/questionnaires/phq9`);
    assert.equal(await visibleQuestions(p), 10, 'nine questions and the difficulty question');
    assert.equal(await p.getByRole('button', { name: 'Next', exact: true }).isVisible(), false);
    const groups = p.locator('fieldset.q-item');
    for (let i = 0; i < 9; i += 1) {
      await groups.nth(i).getByRole('radio', { name: 'Not at all', exact: true }).check();
    }
    await p.getByRole('button', { name: 'See my result' }).click();
    await p.waitForURL(/\/questionnaires\/results\/\d+$/);
    await visible(p.getByText('On the PHQ-9, 0 to 4 is the minimal range.'), 'the result without JavaScript');
    await screenshot(p, 'questionnaire-10-phq9-result-nojs-phone');
  } finally {
    await plain.close();
  }
});

test('the questionnaire pages keep to the Content-Security-Policy', async () => {
  const strict = await newPhoneContext(browser, { storageState: await phone.storageState(), bypassCSP: false });
  const p = await strict.newPage();
  const reports = [];
  p.on('console', (msg) => {
    if (/content security policy/i.test(msg.text())) reports.push(msg.text());
  });
  p.on('pageerror', (err) => reports.push(`page error: ${err.message}`));
  try {
    for (const path of ['/questionnaires', '/questionnaires/phq9', '/questionnaires/gad7']) {
      await p.goto(`${server.url}${path}`);
      await p.waitForLoadState('load');
    }
    // The script ran under the policy: the GAD-7 is in one-question mode.
    await visible(p.getByText('Question 1 of 7'), 'the step counter under the strict CSP');
  } finally {
    await strict.close();
  }
  assert.deepEqual(reports, [], 'CSP violations or script errors');
});

test('security headers on every page', async () => {
  const { checked, signedIn } = await assertPageHeaders(recorder);
  console.log(`checked security headers on ${checked} page responses, ${signedIn} of them signed in`);
});
