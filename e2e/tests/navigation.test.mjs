// The page frame in a browser: on a phone a bottom bar of five places that stays inside the
// screen and never covers the page, a "More" page that reaches every other place, a side
// navigation and a wider main area on a desktop, collapsible sections that look openable,
// date and time boxes like the other inputs, and the bar's Toolkit and "Get help now" with
// the network cut.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkA11y, launchBrowser, newDesktopContext, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { createAccount, newAccount, signOut, visible } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const BAR = ['Home', 'Check in', 'Toolkit', 'Safety plan', 'More'];
const REST = ['Journal', 'History', 'Sessions', 'Agenda', 'Homework', 'Brief', 'Questionnaires', 'Settings'];
const PATHS = {
  Journal: '/journal',
  History: '/history',
  Sessions: '/sessions',
  Agenda: '/agenda',
  Homework: '/homework',
  Brief: '/brief',
  Questionnaires: '/questionnaires',
  Settings: '/settings',
};

let server;
let browser;
let phone;
let page;

before(async () => {
  server = await startServer({ name: 'navigation' });
  browser = await launchBrowser();
  phone = await newPhoneContext(browser, { serviceWorkers: 'block' });
  phone.setDefaultTimeout(15_000);
  page = await phone.newPage();
  await createAccount(page, server.url, newAccount('navigation'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const mainNav = (p) => p.getByRole('navigation', { name: 'Main' });

/** The names of the navigation's links a person can see. */
async function visibleLinks(p) {
  const names = [];
  for (const link of await mainNav(p).getByRole('link').all()) {
    if (await link.isVisible()) names.push((await link.innerText()).trim().replace(/\s+/g, ' '));
  }
  return names;
}

/** Every navigation link and "Get help now" lies inside the screen, with room to tap. */
async function assertInsideScreen(p, width, height, where, { header = true } = {}) {
  const links = await mainNav(p).getByRole('link').all();
  if (header) links.push(p.getByRole('banner').getByRole('link', { name: 'Get help now' }));
  let seen = 0;
  for (const link of links) {
    if (!(await link.isVisible())) continue;
    seen += 1;
    const box = await link.boundingBox();
    const name = (await link.innerText()).trim().replace(/\s+/g, ' ');
    assert.ok(box.x >= 0 && box.x + box.width <= width + 0.5, `${where}: "${name}" sideways outside ${width} px (${box.x}..${box.x + box.width})`);
    assert.ok(box.y >= 0 && box.y + box.height <= height + 0.5, `${where}: "${name}" outside the screen's height (${box.y}..${box.y + box.height})`);
    assert.ok(box.width >= 44 && box.height >= 44, `${where}: "${name}" is ${box.width}x${box.height}, under 44x44`);
  }
  assert.equal(seen, header ? 6 : 5, `${where}: five bar links${header ? ' and "Get help now"' : ''}`);
  const scrollWidth = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `${where}: the page scrolls sideways (${scrollWidth} px wide)`);
}

for (const width of [390, 320]) {
  test(`at ${width} px the bottom bar has five places, all inside the screen`, async () => {
    await page.setViewportSize({ width, height: 844 });
    for (const [path, current] of [['/', 'Home'], ['/checkin', 'Check in'], ['/more', 'More'], ['/journal', 'More'], ['/sessions', 'More']]) {
      await page.goto(`${server.url}${path}`);
      assert.deepEqual(await visibleLinks(page), BAR, `${path}: the bar's places`);
      await assertInsideScreen(page, width, 844, `${path} at ${width} px`);
      // Still there, in the same place, at the bottom of a scrolled page.
      // The header scrolls away with the page (the footer repeats "Get help now"); the bar stays.
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await assertInsideScreen(page, width, 844, `${path} at ${width} px, scrolled`, { header: false });
      const bar = await mainNav(page).boundingBox();
      assert.ok(Math.abs(bar.y + bar.height - 844) <= 1, `${path}: the bar sits on the bottom edge (${bar.y}+${bar.height})`);
      // The part of the app the person is in is marked; aria-current only on the page itself.
      const marked = mainNav(page).locator('a.here');
      assert.equal((await marked.innerText()).trim(), current, `${path}: the marked place`);
      const here = mainNav(page).getByRole('link', { name: current, exact: true });
      const expected = path === '/journal' || path === '/sessions' ? null : 'page';
      assert.equal(await here.getAttribute('aria-current'), expected, `${path}: aria-current on ${current}`);
    }
    await page.goto(`${server.url}/`);
    await screenshot(page, `navigation-01-home-${width}`);
  });

  test(`at ${width} px the bottom bar never covers the end of a page`, async () => {
    await page.setViewportSize({ width, height: 844 });
    for (const path of ['/checkin', '/more', '/toolkit']) {
      await page.goto(`${server.url}${path}`);
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      const last = page.getByRole('contentinfo').getByRole('link', { name: 'get help now' });
      const box = await last.boundingBox();
      const bar = await mainNav(page).boundingBox();
      assert.ok(box.y + box.height <= bar.y, `${path}: the footer's link (bottom ${box.y + box.height}) is under the bar (top ${bar.y})`);
      // A tap on any line of the link (it may wrap) reaches the link itself, not the bar.
      const reached = await last.evaluate((link) =>
        Array.from(link.getClientRects()).every((r) => document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.closest('a') === link),
      );
      assert.ok(reached, `${path}: the footer's link can be tapped`);
      const room = await page.evaluate(() => parseFloat(getComputedStyle(document.body).paddingBottom));
      assert.ok(room >= bar.height, `${path}: the page keeps ${room} px free for a bar ${bar.height} px high`);
    }
  });

  test(`at ${width} px the bar never hides what has the keyboard focus`, async () => {
    await page.setViewportSize({ width, height: 844 });
    await page.goto(`${server.url}/checkin`);
    const bar = await mainNav(page).boundingBox();
    let checked = 0;
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body || el.closest('nav')) return null;
        // A radio button is drawn by its pill; the pill is what must be seen.
        const shown = el.closest('.pill') ?? el;
        const r = shown.getBoundingClientRect();
        return { what: `${el.tagName} ${el.getAttribute('name') ?? ''} ${el.textContent?.trim().slice(0, 30) ?? ''}`, top: r.top, bottom: r.bottom };
      });
      if (!focused) continue;
      checked += 1;
      assert.ok(focused.bottom <= bar.y + 0.5, `${focused.what} has the focus but lies under the bar (${focused.top}..${focused.bottom}, bar from ${bar.y})`);
    }
    assert.ok(checked >= 20, `the page's own controls got the focus (${checked})`);
  });
}

test('every other place is reachable from More, each with a line on what it is for', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/`);
  await mainNav(page).getByRole('link', { name: 'More', exact: true }).click();
  await visible(page.getByRole('heading', { name: 'More', level: 1 }), 'the More page');
  await screenshot(page, 'navigation-02-more-390');
  const main = page.getByRole('main');
  for (const name of REST) {
    const link = main.getByRole('link', { name, exact: true });
    const item = main.getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
    const line = (await item.locator('p').innerText()).trim();
    assert.ok(line.length > 10, `${name}: a line saying what it is for`);
    // The whole card is the target: far larger than 44x44.
    const card = await item.boundingBox();
    assert.ok(card.height >= 44 && card.width >= 200, `${name}: card ${card.width}x${card.height}`);
    const [response] = await Promise.all([page.waitForEvent('response', (r) => r.request().isNavigationRequest()), link.click()]);
    assert.equal(response.status(), 200, `${name} opens`);
    assert.equal(new URL(page.url()).pathname, PATHS[name], `${name} leads to its page`);
    await visible(page.getByRole('heading', { level: 1 }), `${name}'s heading`);
    await page.goBack();
  }
  await visible(main.getByRole('button', { name: 'Sign out' }), 'sign-out on More');
});

test('at 1280 px a side navigation lists every place beside a wider main area', async () => {
  const desktop = await newDesktopContext(browser, { storageState: await phone.storageState(), serviceWorkers: 'block' });
  try {
    const d = await desktop.newPage();
    for (const path of ['/', '/journal', '/checkin']) {
      await d.goto(`${server.url}${path}`);
      assert.deepEqual(await visibleLinks(d), [...BAR.slice(0, 4), ...REST], `${path}: every place, and no More`);
      await visible(mainNav(d).getByRole('button', { name: 'Sign out' }), 'sign-out in the side navigation');
      const nav = await mainNav(d).boundingBox();
      const main = await d.getByRole('main').boundingBox();
      assert.ok(nav.x + nav.width <= main.x, `${path}: the navigation is beside the main area`);
      assert.ok(main.width > 640, `${path}: main is ${main.width} px, not wider than 40rem`);
      await visible(d.getByRole('banner').getByRole('link', { name: 'Get help now' }), '"Get help now" in the header');
    }
    await d.goto(`${server.url}/`);
    await screenshot(d, 'navigation-03-home-1280');
    await checkA11y(d, 'home at 1280 px');
    await d.goto(`${server.url}/more`);
    await checkA11y(d, 'More at 1280 px');
    await screenshot(d, 'navigation-04-more-1280');

    // The columns contract other pages use: side by side here, main part the wider.
    await d.goto(`${server.url}/more`);
    const wide = await columns(d);
    assert.ok(wide.main.width > wide.side.width, 'col-main is the wider one');
    assert.ok(wide.main.x + wide.main.width <= wide.side.x, 'col-side is beside col-main');
  } finally {
    await desktop.close();
  }
});

/** Adds a two-column block to the page and measures its parts. */
async function columns(p) {
  return p.evaluate(() => {
    const block = document.createElement('div');
    block.className = 'columns';
    block.innerHTML = '<div class="col-main"><p>Main part</p></div><div class="col-side"><p>Side part</p></div>';
    document.querySelector('main').append(block);
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    return { main: box(block.querySelector('.col-main')), side: box(block.querySelector('.col-side')) };
  });
}

test('on a phone the columns are one, the main part first', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/more`);
  const narrow = await columns(page);
  assert.ok(narrow.main.y + narrow.main.height <= narrow.side.y, 'col-main above col-side');
  assert.ok(Math.abs(narrow.main.width - narrow.side.width) < 1, 'both the full width');
});

test('a collapsible section shows a chevron that turns when it opens', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/checkin`);
  const summary = page.locator('summary').filter({ hasText: 'More (optional)' });
  const marker = () =>
    summary.evaluate((el) => {
      const s = getComputedStyle(el, '::before');
      return {
        content: s.content,
        width: parseFloat(s.width),
        height: parseFloat(s.height),
        border: s.borderRightWidth,
        borderColor: s.borderRightColor,
        color: getComputedStyle(el).color,
        transform: s.transform,
        transition: s.transitionDuration,
      };
    });
  // The turn is animated unless the person asked for less motion; reduced motion here lets
  // the test read the turned chevron at once.
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  assert.equal((await marker()).transition, '0.15s', 'the chevron turns smoothly');
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const closed = await marker();
    assert.equal(closed.transition, '0s', 'no turning animation with reduced motion');
    assert.notEqual(closed.content, 'none', `${colorScheme}: a marker is drawn`);
    assert.ok(closed.width >= 6 && closed.height >= 6 && parseFloat(closed.border) >= 2, `${colorScheme}: the marker is visible (${JSON.stringify(closed)})`);
    assert.equal(closed.borderColor, closed.color, `${colorScheme}: the chevron has the text's colour`);
    await summary.click();
    const open = await marker();
    assert.notEqual(open.transform, closed.transform, `${colorScheme}: the chevron turns when open`);
    await summary.click();
    assert.equal((await marker()).transform, closed.transform, `${colorScheme}: and back when closed`);
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
});

test('date and time boxes look like the other inputs', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/sessions`);
  const look = (selector) =>
    page.locator(selector).first().evaluate((el) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return { height: r.height, width: r.width, border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`, radius: s.borderTopLeftRadius, font: s.fontSize, background: s.backgroundColor };
    });
  const text = await look('main input[type="text"]');
  for (const selector of ['main input[type="time"]', 'main input[type="date"]']) {
    const input = await look(selector);
    assert.ok(input.height >= 44, `${selector}: ${input.height} px high`);
    assert.ok(Math.abs(input.height - text.height) <= 2, `${selector}: as high as a text box (${input.height} vs ${text.height})`);
    assert.equal(input.border, text.border, `${selector}: the same border`);
    assert.equal(input.radius, text.radius, `${selector}: the same corners`);
    assert.equal(input.font, text.font, `${selector}: the same text size`);
    assert.equal(input.background, text.background, `${selector}: the same background`);
    assert.equal(input.width, text.width, `${selector}: the same width`);
  }
  await screenshot(page, 'navigation-05-sessions-390');
});

for (const width of [320, 390]) {
  test(`axe finds nothing on home and More at ${width} px`, async () => {
    await page.setViewportSize({ width, height: 844 });
    for (const path of ['/', '/more']) {
      await page.goto(`${server.url}${path}`);
      await checkA11y(page, `${path} at ${width} px`);
    }
  });
}

test('with the network cut, the bar\'s Toolkit and "Get help now" still open', async () => {
  const context = await newPhoneContext(browser, { storageState: await phone.storageState(), serviceWorkers: 'allow' });
  context.setDefaultTimeout(15_000);
  try {
    const p = await context.newPage();
    await p.goto(`${server.url}/`);
    // The offline script has registered the worker and it holds the offline pages.
    await p.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, { timeout: 30_000 });
    await context.setOffline(true);

    await mainNav(p).getByRole('link', { name: 'Toolkit', exact: true }).click();
    await p.waitForURL((url) => url.pathname === '/toolkit');
    await visible(p.getByRole('heading', { name: 'Toolkit', level: 1 }), 'the toolkit offline');
    // The kept copy has the same frame: the bar is there and marks Toolkit.
    assert.deepEqual(await visibleLinks(p), BAR, 'the bottom bar on the offline toolkit');
    assert.equal(await mainNav(p).getByRole('link', { name: 'Toolkit', exact: true }).getAttribute('aria-current'), 'page');
    await screenshot(p, 'navigation-06-toolkit-offline');

    await p.getByRole('banner').getByRole('link', { name: 'Get help now' }).click();
    await p.waitForURL((url) => url.pathname === '/help');
    await visible(p.getByRole('heading', { name: 'Get help now', level: 1 }), '"Get help now" offline');

    // Back to the toolkit from the help page's bar, and a place not kept offline says so.
    await mainNav(p).getByRole('link', { name: 'Toolkit', exact: true }).click();
    await visible(p.getByRole('heading', { name: 'Toolkit', level: 1 }), 'the toolkit again, offline');
    await mainNav(p).getByRole('link', { name: 'More', exact: true }).click();
    await visible(p.getByRole('heading', { name: 'You are offline' }), 'the offline page for More');
    await visible(p.getByRole('link', { name: 'Get help now' }).first(), '"Get help now" on the offline page');
  } finally {
    await context.setOffline(false);
    await context.close();
  }
});

test('without JavaScript the bar and More work the same, and paper has no bar', async () => {
  const plain = await newPhoneContext(browser, { storageState: await phone.storageState(), javaScriptEnabled: false });
  try {
    const p = await plain.newPage();
    await p.goto(`${server.url}/`);
    assert.deepEqual(await visibleLinks(p), BAR, 'the bar without JavaScript');
    await mainNav(p).getByRole('link', { name: 'More', exact: true }).click();
    await p.getByRole('main').getByRole('link', { name: 'Journal', exact: true }).click();
    await visible(p.getByRole('heading', { name: 'Journal', level: 1 }), 'the journal, reached through More');

    await p.emulateMedia({ media: 'print' });
    assert.equal(await mainNav(p).isVisible(), false, 'no bar on paper');
    const room = await p.evaluate(() => getComputedStyle(document.body).paddingBottom);
    assert.equal(room, '0px', 'no space kept for a bar on paper');
  } finally {
    await plain.close();
  }
});

// Last: it ends the session the other tests use.
test('signing out from More ends the session', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/`);
  await signOut(page);
  await page.waitForURL((url) => url.pathname === '/signin');
  assert.equal(await mainNav(page).count(), 0, 'no navigation once signed out');
  await page.goto(`${server.url}/more`);
  assert.equal(new URL(page.url()).pathname, '/signin', 'More needs a signed-in person');
});
