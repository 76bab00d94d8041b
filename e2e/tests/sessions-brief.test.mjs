// Sessions, homework, the brief and the charts as a person on a phone meets them: a weekly
// series is one line with one way to remove it (asked first, without script too), a note
// stays on the session it was written for, yesterday's session waits first with a clear
// "Reflect on it", new homework doesn't scold, the brief's day table fits 320 px and starts
// at the session before last, and every chart is readable at 390 px with its sessions, the
// usual-mood band and a table. Screenshots go to /tmp/shots-sessions for a person to look at.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser, newDesktopContext, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { createAccount, newAccount, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const TZ = 'Europe/London';
const DAY = 24 * 60 * 60 * 1000;
const SERIES_NOTE = 'Bring the OTTER-5521 letter';
const ONE_OFF_NOTE = 'Video call, link in email MAPLE-3390';
const HOMEWORK = 'Walk round the block after lunch';

let server;
let browser;
let context;
let page;

before(async () => {
  server = await startServer({ name: 'sessions-brief' });
  browser = await launchBrowser();
  context = await newPhoneContext(browser, { timezoneId: TZ });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A screenshot for people to look at, with the other test screenshots. */
async function shot(p, name) {
  await screenshot(p, `sessions-brief-${name}`);
}

async function api(pathname, data) {
  const res = await page.request.post(`${server.url}${pathname}`, { data });
  assert.ok([200, 201].includes(res.status()), `${pathname}: ${res.status()} ${await res.text()}`);
  return res.json();
}

/** A local date and time in London, `days` from today, as the form's date field wants it. */
function londonDate(days) {
  return new Date(Date.now() + days * DAY).toLocaleDateString('en-CA', { timeZone: TZ });
}

const sessionItems = () => page.locator('#upcoming-h ~ ul.entries > li');

test('a weekly series with a note, added through the form, and a one-off session', async () => {
  await createAccount(page, server.url, newAccount('sessions'));
  // Sessions long before, for the brief's periods; check-ins around them.
  await api('/api/v1/sessions', { client_id: randomUUID(), at: new Date(Date.now() - 20 * DAY).toISOString() });
  await api('/api/v1/sessions', { client_id: randomUUID(), at: new Date(Date.now() - 10 * DAY).toISOString() });
  for (const [daysAgo, mood, missed] of [[14, 6, false], [8, 2, true], [7, 2, false], [5, 3, false], [3, 6, false], [0, 5, false]]) {
    await api('/api/v1/checkins', {
      client_id: randomUUID(),
      mood,
      anxiety: 5,
      energy: 4,
      missed_usual_activities: missed,
      self_harm_thoughts: false,
      at: new Date(Date.now() - daysAgo * DAY).toISOString(),
    });
  }

  await page.goto(`${server.url}/sessions`);
  await page.getByLabel('Date').fill(londonDate(-1));
  await page.getByLabel('Time').fill('17:00');
  await page.getByLabel('Repeats').selectOption('weekly');
  await page.getByLabel('Note for this session (optional)').fill(SERIES_NOTE);
  await page.getByRole('button', { name: 'Add session' }).click();
  await visible(page.getByText('Session added.'), 'the added notice');

  await page.getByLabel('Date').fill(londonDate(3));
  await page.getByLabel('Time').fill('09:30');
  await page.getByLabel('Repeats').selectOption('once');
  await page.getByLabel('Note for this session (optional)').fill(ONE_OFF_NOTE);
  await page.getByRole('button', { name: 'Add session' }).click();
  await visible(page.getByText('Session added.'), 'the added notice');
});

test('the series shows once, with one remove each and its dates folded away', async () => {
  const weekday = new Date(Date.now() + 6 * DAY).toLocaleDateString('en-GB', { timeZone: TZ, weekday: 'long' });
  const items = sessionItems();
  assert.equal(await items.count(), 2, 'the series and the one-off: two items');
  const series = items.filter({ hasText: `Every ${weekday} at 17:00` });
  assert.equal(await series.count(), 1, 'the series is one item');
  await visible(series.getByText(/· next: /), 'when the next one is');
  for (const item of await items.all()) {
    assert.equal(await item.getByRole('link', { name: /^Remove/ }).filter({ visible: true }).count(), 1, 'one remove per item');
    assert.equal(await item.getByRole('button').count(), 0, 'no button removes without asking');
  }
  // The later dates are folded away until asked for.
  const dates = series.locator('details.dates');
  assert.equal(await dates.evaluate((d) => d.open), false);
  await dates.locator('summary').click();
  assert.ok((await dates.locator('li').count()) >= 8, 'the next dates, when opened');
  await dates.locator('summary').click();
  await checkA11y(page, 'sessions');
  await shot(page, 'sessions-390');
});

test('a note stays on the session it was written for', async () => {
  const body = await page.locator('main').innerText();
  assert.equal(body.split(ONE_OFF_NOTE).length - 1, 1, 'the one-off note shows once');
  // The series' note was written for its first session, yesterday's: not on the ones to come.
  assert.equal(body.split(SERIES_NOTE).length - 1, 1, 'the series note shows once');
  const past = page.locator('#past-h ~ ul.entries > li').first();
  await visible(past.getByText(SERIES_NOTE), 'the note on the session it was written for');
  const list = await (await page.request.get(`${server.url}/api/v1/sessions`)).json();
  const withNotes = list.sessions.filter((s) => s.note);
  assert.deepEqual(withNotes.map((s) => s.note).sort(), [ONE_OFF_NOTE, SERIES_NOTE].sort());
});

test("yesterday's session waits first, with a clear button to reflect on it", async () => {
  const card = page.getByRole('region', { name: 'How did your session go?' });
  const button = card.getByRole('link', { name: /^Reflect on it/ });
  await visible(button, 'the "Reflect on it" button');
  const box = await button.boundingBox();
  assert.ok(box.y + box.height <= 844, `the reflect button is below the first screen (${box.y})`);
  assert.ok(box.height >= 44 && box.width >= 200, `the reflect button is small: ${JSON.stringify(box)}`);
  const upcoming = await page.locator('#upcoming-h').boundingBox();
  assert.ok(box.y < upcoming.y, 'the reflect button comes before what is coming up');
  await button.click();
  await visible(page.getByRole('heading', { name: 'After your session', level: 1 }), 'the post-session check-in');
  assert.match(await page.locator('.lead').innerText(), /Your session on .* at 17:00/);
});

test('removing asks first, also without script, and removes only what was chosen', async () => {
  const plain = await browser.newContext({
    viewport: { width: 390, height: 844 },
    javaScriptEnabled: false,
    timezoneId: TZ,
    storageState: await context.storageState(),
  });
  try {
    const p = await plain.newPage();
    await p.goto(`${server.url}/sessions`);
    const series = p.locator('#upcoming-h ~ ul.entries > li').filter({ hasText: 'Every ' });
    const nextText = await series.locator('.entry-head').innerText();
    await series.getByRole('link', { name: /^Remove these sessions/ }).click();
    await visible(p.getByRole('heading', { name: 'Remove a session?', level: 1 }), 'the question');
    await visible(p.getByRole('button', { name: 'Remove this one and all later ones' }), 'removing the rest of the series');
    const onlyOne = p.getByRole('button', { name: /^Remove only the one on / });
    await visible(onlyOne, 'removing one');
    await p.getByRole('link', { name: 'Keep them' }).click();
    assert.equal(await p.locator('#upcoming-h ~ ul.entries > li').count(), 2, 'asking removed nothing');

    await p.locator('#upcoming-h ~ ul.entries > li').filter({ hasText: 'Every ' }).getByRole('link', { name: /^Remove these sessions/ }).click();
    await onlyOne.click();
    await visible(p.getByText('Session removed.'), 'the removed notice');
    const after = await p.locator('#upcoming-h ~ ul.entries > li').filter({ hasText: 'Every ' }).locator('.entry-head').innerText();
    assert.notEqual(after, nextText, 'the next date moved on by one');
    assert.match(after, /^Every .* · next: /, 'the rest of the series stays');
  } finally {
    await plain.close();
  }
  // The question page, with script, passes axe too.
  await page.goto(`${server.url}/sessions`);
  await sessionItems().filter({ hasText: 'Every ' }).getByRole('link', { name: /^Remove these sessions/ }).click();
  await visible(page.getByRole('heading', { name: 'Remove a session?', level: 1 }), 'the question');
  await checkA11y(page, 'remove a session');
  await shot(page, 'session-remove-390');
});

test('new homework says something kind, and its actions look alike', async () => {
  await page.goto(`${server.url}/homework`);
  await page.getByLabel('What to do').fill(HOMEWORK);
  await page.getByLabel('How often').selectOption('few_times_a_week');
  await page.getByRole('button', { name: 'Add homework' }).click();
  await visible(page.getByText(/Homework added/), 'the added notice');
  const item = page.locator('li.homework').filter({ hasText: HOMEWORK });
  const text = await item.innerText();
  assert.ok(!/not done/i.test(text), `new homework scolds: ${text}`);
  await visible(item.getByText('Just added. Log it here each time you do it.'), 'a kind word for new homework');

  const finish = item.getByRole('button', { name: /^Finished with this/ });
  const remove = item.locator('details.confirm > summary');
  const [a, b] = [await finish.boundingBox(), await remove.boundingBox()];
  assert.ok(Math.abs(a.height - b.height) <= 1 && a.height >= 44, `actions differ in size: ${a.height} vs ${b.height}`);
  const colours = await Promise.all([finish, remove].map((l) => l.evaluate((el) => getComputedStyle(el).borderTopColor)));
  assert.equal(colours[0], colours[1], 'the actions share one calm style');
  // Removing asks first, and says what goes.
  await remove.click();
  await visible(item.getByText(/This deletes it\./), 'what removing does');
  await visible(item.getByRole('button', { name: /^Yes, remove it/ }), 'the confirmation');
  await checkA11y(page, 'homework (remove opened)');
  await remove.click();
  await shot(page, 'homework-390');
});

/** Every visible cell of the brief's day table narrower than four digits of its own font. */
async function narrowCells(p) {
  return p.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const out = [];
    for (const cell of document.querySelectorAll('table.brief-days th, table.brief-days td')) {
      if (cell.getClientRects().length === 0) continue;
      const style = getComputedStyle(cell);
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const four = ctx.measureText('0000').width;
      const width = cell.getBoundingClientRect().width;
      if (width < four || cell.scrollWidth > cell.clientWidth + 1) out.push(`${cell.textContent.trim()} (${width.toFixed(0)} px)`);
    }
    return out;
  });
}

test('the brief starts at the session before last, with a choice', async () => {
  await page.goto(`${server.url}/brief`);
  const note = page.getByText(/^Since the session before last, on /);
  await visible(note, 'the default period');
  const eightDaysAgo = new Date(Date.now() - 8 * DAY).toLocaleDateString('en-GB', { timeZone: TZ, weekday: 'short', day: 'numeric', month: 'short' }).replace(',', '');
  const rows = page.locator('table.brief-days tbody th');
  assert.ok((await rows.allInnerTexts()).some((t) => t.startsWith(eightDaysAgo)), `the slide before the last session shows (${eightDaysAgo})`);
  await page.getByRole('link', { name: 'Only the days since my last session' }).click();
  await visible(page.getByText(/^Since your last session, on /), 'the shorter period');
  assert.ok(!(await rows.allInnerTexts()).some((t) => t.startsWith(eightDaysAgo)), 'only since the last session');
  await page.getByRole('link', { name: 'Since the session before last' }).first().click();
  await visible(note, 'back to the default');
});

test('at 320 px no cell of the brief table is narrower than four characters', async () => {
  await page.setViewportSize({ width: 320, height: 700 });
  try {
    await page.goto(`${server.url}/brief`);
    assert.ok((await page.locator('table.brief-days tbody tr').count()) >= 4);
    assert.deepEqual(await narrowCells(page), []);
    const notable = page.locator('table.brief-days td[data-label="Notable"]').filter({ hasText: 'lower than usual' }).first();
    await visible(notable, 'the notable marks, readable');
    const wrap = page.locator('.brief .table-wrap').last();
    assert.ok(await wrap.evaluate((w) => w.scrollWidth <= w.clientWidth + 1), 'the table scrolls sideways');
    await checkA11y(page, 'brief at 320 px');
    await shot(page, 'brief-320');
  } finally {
    await page.setViewportSize({ width: 390, height: 844 });
  }
  // Paper keeps the table, with all five columns in a row.
  await page.emulateMedia({ media: 'print' });
  const display = await page.locator('table.brief-days tr').first().evaluate((tr) => getComputedStyle(tr).display);
  assert.equal(display, 'table-row');
  await page.emulateMedia({ media: 'screen' });
});

/** Rendered text sizes of a chart's labels, in CSS pixels. */
async function chartTextSizes(chart) {
  return chart.evaluate((svg) =>
    [...svg.querySelectorAll('text')].map((t) => ({
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
    })),
  );
}

async function checkMoodChart(p, label) {
  const figure = p.locator('figure.chart-figure').first();
  const chart = figure.locator('svg.chart');
  await visible(chart, `the chart on ${label}`);
  for (const { text, px } of await chartTextSizes(chart)) {
    assert.ok(px >= 12, `"${text}" on ${label} renders at ${px.toFixed(1)} px`);
  }
  assert.ok((await chart.locator('line.session').count()) >= 1, `session markers on ${label}`);
  assert.equal(await chart.locator('rect.usual-band').count(), 1, `the usual band on ${label}`);
  await visible(figure.getByText('A therapy session'), 'the key for sessions');
  await visible(figure.getByText(/^Your usual mood, about \d+ to \d+$/), 'the key for the usual band');
  await figure.getByText('Show as a table').click();
  const table = figure.getByRole('table');
  await visible(table, `the chart's table on ${label}`);
  await visible(table.getByRole('cell', { name: 'Therapy session' }), 'a session day in the table');
  assert.ok((await table.locator('tbody tr').count()) >= 3);
  await figure.getByText('Show as a table').click();
}

test('the history and brief charts: readable, with sessions, the usual band and a table', async () => {
  await page.goto(`${server.url}/history`);
  await checkMoodChart(page, 'history');
  await checkA11y(page, 'history');
  await shot(page, 'history-390');
  await page.goto(`${server.url}/brief`);
  await checkMoodChart(page, 'brief');
  await checkA11y(page, 'brief');
  await shot(page, 'brief-390');
});

test('a questionnaire chart says where the higher range begins, off the line, in plain words', async () => {
  for (const [daysAgo, answers] of [[12, [2, 2, 2, 1, 1, 1, 1, 1, 0]], [5, [1, 1, 1, 1, 1, 1, 1, 1, 0]], [0, [2, 1, 1, 1, 1, 1, 1, 1, 0]]]) {
    await api('/api/v1/questionnaires', { client_id: randomUUID(), instrument: 'phq9', answers, at: new Date(Date.now() - daysAgo * DAY).toISOString() });
  }
  const list = await (await page.request.get(`${server.url}/api/v1/questionnaires`)).json();
  const latest = list.questionnaires.at(-1);
  await page.goto(`${server.url}/questionnaires/results/${latest.id}`);
  const figure = page.locator('figure.chart-figure').first();
  const chart = figure.locator('svg.chart');
  await visible(chart, 'the score chart');
  for (const { text, px } of await chartTextSizes(chart)) {
    assert.ok(px >= 12, `"${text}" renders at ${px.toFixed(1)} px`);
  }
  assert.ok(!/clinical/i.test(await figure.innerText()), 'no clinical jargon on the chart');
  await visible(figure.getByText('Dashed line at 10: where the higher range begins (10 or more)'), 'the line in plain words');
  // Nothing written on or across the line except its number on the axis, left of it.
  const overlaps = await chart.evaluate((svg) => {
    const line = svg.querySelector('line.caseness').getBoundingClientRect();
    return [...svg.querySelectorAll('text')]
      .map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }))
      .filter(({ r }) => r.top < line.bottom && r.bottom > line.top && r.right > line.left && r.left < line.right)
      .map(({ t }) => t);
  });
  assert.deepEqual(overlaps, []);
  await figure.getByText('Show as a table').click();
  assert.equal(await figure.getByRole('table').locator('tbody tr').count(), 3);
  await checkA11y(page, 'questionnaire result');
  await shot(page, 'questionnaire-390');
});

test('each own-list tool shows its own length, not the same eleven minutes', async () => {
  await page.goto(`${server.url}/toolkit`);
  const text = await page.locator('main').innerText();
  assert.ok(!text.includes('About 11 minutes'), 'a list tool claims 11 minutes');
  assert.ok(text.includes('As long as it helps'));
});

test('the same pages at 320 px pass axe', async () => {
  await page.setViewportSize({ width: 320, height: 700 });
  try {
    for (const pathname of ['/sessions', '/homework', '/history']) {
      await page.goto(`${server.url}${pathname}`);
      await checkA11y(page, `${pathname} at 320 px`);
    }
  } finally {
    await page.setViewportSize({ width: 390, height: 844 });
  }
});

test('the same pages on a desktop', async () => {
  const desktop = await newDesktopContext(browser, { timezoneId: TZ, storageState: await context.storageState() });
  try {
    const wide = await desktop.newPage();
    for (const [pathname, name] of [['/sessions', 'sessions'], ['/homework', 'homework'], ['/brief', 'brief'], ['/history', 'history']]) {
      await wide.goto(`${server.url}${pathname}`);
      await checkA11y(wide, `${name} (desktop)`);
      await shot(wide, `${name}-1280`);
    }
    // History uses the columns: the chart and its summary in the main column, the days
    // beside it.
    await wide.goto(`${server.url}/history`);
    assert.equal(await wide.locator('.columns > .col-main .history-chart').count(), 1);
    assert.ok((await wide.locator('.columns > .col-side section.day').count()) >= 3);
    const chart = await wide.locator('.history-chart').boundingBox();
    const firstDay = await wide.locator('section.day').first().boundingBox();
    assert.ok(firstDay.x > chart.x + chart.width - 1, 'the days sit beside the chart');
    const list = await (await wide.request.get(`${server.url}/api/v1/questionnaires`)).json();
    await wide.goto(`${server.url}/questionnaires/results/${list.questionnaires.at(-1).id}`);
    await shot(wide, 'questionnaire-1280');
  } finally {
    await desktop.close();
  }
});
