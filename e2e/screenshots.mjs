// Pictures of the product for people reading the repository: the pages that matter on a hard
// day, in the states that matter, at a phone's 390 px and a desktop's 1280 px. Each state is a
// fresh account with weeks of history written through the API, so the pictures look lived in.
//
//   node screenshots.mjs [OUT_DIR]      (BETWEEN_BIN names the binary; scripts/screenshots
//                                        builds it and writes to docs/screenshots/)
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullPageShot, launchBrowser } from './lib/browser.mjs';
import { expectHome, fillSignup, newAccount, signup } from './lib/flows.mjs';
import { checkInNow, lowDays, seedHistory } from './lib/seed.mjs';
import { startServer } from './lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.resolve(process.argv[2] ?? path.join(here, '..', 'docs', 'screenshots'));
const TZ = 'Europe/London';
const SIZES = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 900 } },
};

// Each state: how its account's history is written, then the pages to picture.
const STATES = [
  {
    name: 'steady',
    async seed(page, url) {
      await seedHistory(page, url, { usual: 7 });
      await checkInNow(page, url, { mood: 7, self_harm_thoughts: false });
    },
    pages: {
      'home-steady': '/',
      checkin: '/checkin',
      toolkit: '/toolkit',
      help: '/help',
      brief: '/brief',
      history: '/history',
    },
  },
  {
    name: 'low day',
    async seed(page, url) {
      await seedHistory(page, url, { usual: 7 });
      await checkInNow(page, url, { mood: 4, self_harm_thoughts: false });
    },
    pages: { 'home-low-day': '/' },
  },
  {
    name: 'reach out',
    async seed(page, url) {
      await seedHistory(page, url, { usual: 7, until: 5, lastSession: 4 });
      await lowDays(page, url, 4, 3);
    },
    pages: { 'home-reach-out': '/' },
  },
  {
    name: 'urgent',
    async seed(page, url) {
      await seedHistory(page, url, { usual: 7 });
      await checkInNow(page, url, { mood: 2, self_harm_thoughts: true });
    },
    pages: { 'home-urgent': '/' },
  },
];

const server = await startServer({ name: 'screenshots', args: ['--open-signup'] });
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  for (const old of readdirSync(OUT).filter((f) => f.endsWith('.png'))) rmSync(path.join(OUT, old));
  for (const state of STATES) {
    const account = { ...newAccount('pictures'), usualDay: '7' };
    for (const [size, options] of Object.entries(SIZES)) {
      // One context per size, both signed in to the same account; the phone one writes the history.
      const context = await browser.newContext({ ...options, deviceScaleFactor: 1, timezoneId: TZ });
      const page = await context.newPage();
      if (size === 'phone') {
        // `/` offers sign-up only on a fresh install; later accounts start at /signup.
        await page.goto(`${server.url}/signup`);
        await fillSignup(page, account);
        await signup.submit(page).click();
        await expectHome(page);
        await state.seed(page, server.url);
      } else {
        await signIn(page, server.url, account);
      }
      for (const [name, address] of Object.entries(state.pages)) {
        await page.goto(`${server.url}${address}`);
        console.log(await fullPageShot(page, path.join(OUT, `${name}-${size}.png`)));
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}

async function signIn(page, url, account) {
  await page.goto(`${url}/signin`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}
