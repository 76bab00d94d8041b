// usage: node crop.mjs in.png outprefix height
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const [,, input, prefix, h = '1400'] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 800, height: 800 } });
const b64 = readFileSync(input).toString('base64');
await page.setContent(`<body style="margin:0"><img id=i src="data:image/png;base64,${b64}"></body>`);
const { width, height } = await page.evaluate(() => ({ width: document.getElementById('i').naturalWidth, height: document.getElementById('i').naturalHeight }));
const step = Number(h);
let n = 0;
for (let y = 0; y < height; y += step) {
  await page.screenshot({ path: `${prefix}-${n}.png`, clip: { x: 0, y, width, height: Math.min(step, height - y) }, fullPage: true });
  n += 1;
}
console.log(width, height, n);
await browser.close();
