// The JSON API behind the pages: idempotent check-ins, clear errors, sign-in required,
// and cross-site requests refused.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { assertPageHeaders, launchBrowser, newDesktopContext, recordPages } from '../lib/browser.mjs';
import { createAccount, newAccount, sessionCookie } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let context;
let recorder;
let page;
let endpoint;

before(async () => {
  server = await startServer({ name: 'api' });
  browser = await launchBrowser();
  context = await newDesktopContext(browser);
  context.setDefaultTimeout(15_000);
  recorder = recordPages(context);
  page = await context.newPage();
  endpoint = `${server.url}/api/v1/checkins`;
  await createAccount(page, server.url, newAccount('api'));
  assert.ok(await sessionCookie(context), 'signed in after creating the account');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function json(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`expected JSON from ${response.url()} (${response.status()}), got: ${text.slice(0, 300)}`);
  }
}

/** The check-in in a response body: the body itself, or wrapped in `checkin` or `data`. */
function checkinOf(body) {
  return body?.checkin ?? body?.data ?? body;
}

/** The list of check-ins: the body itself, or wrapped in `checkins`, `items` or `data`. */
function listOf(body) {
  const list = Array.isArray(body) ? body : (body?.checkins ?? body?.items ?? body?.data);
  assert.ok(Array.isArray(list), `expected a list of check-ins, got: ${JSON.stringify(body)}`);
  return list;
}

function assertError(body, status, field) {
  assert.equal(typeof body?.error, 'object', `${status}: body has an "error" object: ${JSON.stringify(body)}`);
  assert.equal(typeof body.error.code, 'string', `${status}: error.code is a string`);
  assert.equal(typeof body.error.message, 'string', `${status}: error.message is a string`);
  assert.ok(body.error.message.length > 0, `${status}: error.message is not empty`);
  if (field !== undefined) assert.equal(body.error.field, field, `${status}: error.field`);
}

test('a check-in is created once, however often it is sent', async () => {
  const clientId = randomUUID();
  const first = await page.request.post(endpoint, { data: { client_id: clientId, mood: 6 } });
  const firstBody = await json(first);
  assert.equal(first.status(), 201, `first POST: ${JSON.stringify(firstBody)}`);
  const created = checkinOf(firstBody);
  assert.ok(created.id !== undefined && created.id !== null, 'the created check-in has an id');
  assert.equal(created.mood, 6);

  const again = await page.request.post(endpoint, { data: { client_id: clientId, mood: 6 } });
  const againBody = await json(again);
  assert.equal(again.status(), 200, `repeated POST: ${JSON.stringify(againBody)}`);
  assert.equal(checkinOf(againBody).id, created.id, 'the retry returns the same check-in');

  const list = await page.request.get(endpoint);
  assert.equal(list.status(), 200);
  const checkins = listOf(await json(list));
  assert.equal(checkins.length, 1, `exactly one check-in: ${JSON.stringify(checkins)}`);
  assert.equal(checkins[0].id, created.id);
});

test('an out-of-range mood is refused with 422 naming the field', async () => {
  const response = await page.request.post(endpoint, { data: { client_id: randomUUID(), mood: 11 } });
  const body = await json(response);
  assert.equal(response.status(), 422, `mood 11: ${JSON.stringify(body)}`);
  assertError(body, 422, 'mood');
});

test('malformed JSON is refused with 400 and the same error shape', async () => {
  const response = await page.request.post(endpoint, {
    headers: { 'content-type': 'application/json' },
    // A Buffer goes out as it is; a string would be encoded as a JSON string.
    data: Buffer.from(`{"client_id": "${randomUUID()}", "mood": `),
  });
  const body = await json(response);
  assert.equal(response.status(), 400, `malformed JSON: ${JSON.stringify(body)}`);
  assertError(body, 400);
});

test('without a session the API answers 401 in JSON', async () => {
  const stranger = await newDesktopContext(browser);
  try {
    const response = await stranger.request.get(endpoint);
    assert.equal(response.status(), 401);
    assertError(await json(response), 401);
  } finally {
    await stranger.close();
  }
});

test('a cross-site POST carrying the session cookie is refused', async () => {
  const response = await page.request.post(endpoint, {
    headers: { 'sec-fetch-site': 'cross-site' },
    data: { client_id: randomUUID(), mood: 5 },
  });
  assert.equal(response.status(), 403, `cross-site POST: ${await response.text()}`);
  const list = listOf(await json(await page.request.get(endpoint)));
  assert.equal(list.length, 1, 'the refused POST stored nothing');
});

test('security headers on every page', async () => {
  const { checked, signedIn } = await assertPageHeaders(recorder);
  console.log(`checked security headers on ${checked} page responses, ${signedIn} of them signed in`);
});
