// Authenticator codes computed by the test itself, as a person's phone app would: HOTP
// (RFC 4226) over a 30-second time step (RFC 6238), from the key the enrol page shows.
// Nothing here asks the server for a code, so a test that passes proves the server and an
// independent implementation agree.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { visible } from './flows.mjs';

// RFC 4648 section 6: the base32 alphabet authenticator apps take keys in.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The bytes of a base32 key as shown to people: spaces, dashes, padding and case ignored. */
export function base32Decode(text) {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error(`not a base32 character: ${JSON.stringify(ch)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP: the `digits`-digit code for `counter` under `key` (a Buffer). */
export function hotp(key, counter, { digits = 6, algorithm = 'sha1' } = {}) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  // Dynamic truncation (RFC 4226 section 5.3).
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * RFC 6238 TOTP: the code at `time` (seconds since the epoch; now by default) for `key`,
 * a Buffer or a base32 string as an enrol page shows it. Between uses 30 s and 6 digits.
 */
export function totp(key, { time = Date.now() / 1000, step = 30, digits = 6, algorithm = 'sha1' } = {}) {
  const bytes = typeof key === 'string' ? base32Decode(key) : key;
  return hotp(bytes, Math.floor(time / step), { digits, algorithm });
}

/**
 * A code that stays good for at least `margin` seconds: near the end of a step, waits for
 * the next one so the code is not stale by the time the form reaches the server.
 */
export async function freshTotp(key, margin = 5) {
  const now = Date.now() / 1000;
  const left = 30 - (now % 30);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, (left + 0.5) * 1000));
  return totp(key);
}

/**
 * Turns on two-step sign-in for the signed-in account on `page`, as a person with an
 * authenticator app would: opens the page, reads the key shown beside the QR code, types
 * the current code and sees the recovery codes. Returns the key (base32, no spaces) and the
 * recovery codes, so a later sign-in can answer the second step with `signInCode`.
 */
export async function enrolTotp(page, baseUrl) {
  await page.goto(`${baseUrl}/settings/account/two-step`);
  const keyText = page.locator('code.setup-key');
  await visible(keyText, 'the key to type into an authenticator app');
  const secret = (await keyText.innerText()).replace(/\s+/g, '');
  assert.ok(base32Decode(secret).length >= 16, `a key of at least 128 bits (RFC 4226 section 4): ${secret.length} characters`);
  await page.getByLabel('The six-digit code from the app').fill(await freshTotp(secret));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await visible(page.getByRole('heading', { name: 'Your recovery codes' }), 'the recovery codes, once the code was accepted');
  const recoveryCodes = (await page.locator('.recovery-codes code').allInnerTexts()).map((c) => c.trim());
  assert.equal(recoveryCodes.length, 10, 'ten recovery codes');
  return { secret, recoveryCodes };
}

/** Answers the sign-in's second step ("One more step") with a code computed from `secret`. */
export async function signInCode(page, secret) {
  await visible(page.getByRole('heading', { name: 'One more step' }), 'the second sign-in step');
  await page.getByLabel('Code', { exact: true }).fill(await freshTotp(secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
}
