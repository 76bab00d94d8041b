import { launchBrowser, newPhoneContext } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { createAccount, newAccount } from './lib/flows.mjs';
const server = await startServer({});
const browser = await launchBrowser();
const context = await newPhoneContext(browser);
const page = await context.newPage();
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));

await createAccount(page, server.url, newAccount('dbg'));
for (let i = 0; i < 10; i++) {
  await page.waitForTimeout(1000);
  console.log(await page.evaluate(async () => ({ off: document.documentElement.dataset.offline, ctrl: !!navigator.serviceWorker.controller, keys: await caches.keys(), regs: (await navigator.serviceWorker.getRegistrations()).map(r => [r.active && r.active.state, r.installing && r.installing.state, r.waiting && r.waiting.state]) })));
}
await browser.close(); await server.stop();
console.log(server.log().split('\n').filter(l => l.includes('request')).slice(-30).join('\n'));
