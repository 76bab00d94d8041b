// Histories that look like a person's, written through the JSON API with the browser's
// session, so pages can be measured and pictured with something on them: weeks of check-ins
// around their usual, weekly sessions, tools that helped, questionnaires, journal and homework.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DAY = 24 * 60 * 60 * 1000;

/** POSTs `data` to `/api/v1/PATH` and expects a 201. */
async function create(page, baseUrl, path, data) {
  const res = await page.request.post(`${baseUrl}/api/v1/${path}`, { data: { client_id: randomUUID(), ...data } });
  assert.equal(res.status(), 201, `POST /api/v1/${path}: ${await res.text()}`);
  return res.json();
}

/** An RFC 3339 time `days` days before now, at `hour` o'clock UTC. */
function daysAgo(days, hour = 19) {
  const at = new Date(Date.now() - days * DAY);
  at.setUTCHours(hour, 0, 0, 0);
  return at.toISOString();
}

/** A mood near `usual` that moves the way a steady person's does (fixed, so pictures repeat). */
function steadyMood(usual, day) {
  const wobble = [0, 1, -1, 0, 1, 0, -1, 1, 0, -1, 0, 0, 1, -1];
  return Math.max(0, Math.min(10, usual + wobble[day % wobble.length]));
}

/**
 * `days` days of ordinary life ending `until` days ago: a check-in most days, weekly
 * sessions (the latest `lastSession` days ago), a few tool uses that helped, questionnaires, journal and homework.
 */
export async function seedHistory(page, baseUrl, { usual = 7, days = 56, until = 1, lastSession = 3 } = {}) {
  // A weekly series whose latest past session falls `lastSession` days ago.
  const firstSession = lastSession + 7 * Math.floor((days - lastSession) / 7);
  await create(page, baseUrl, 'sessions', { at: daysAgo(firstSession, 10), repeat: 'weekly' });
  for (let d = days; d >= until; d--) {
    if (d % 6 === 3) continue; // a missed day now and then, as people do
    await create(page, baseUrl, 'checkins', { mood: steadyMood(usual, d), self_harm_thoughts: false, at: daysAgo(d) });
  }
  // Three rated uses each: enough for "what works for me" to rank them.
  const tools = [
    ['box-breathing', 7, 4],
    ['grounding-5-4-3-2-1', 6, 4],
    ['box-breathing', 6, 3],
    ['grounding-5-4-3-2-1', 5, 3],
    ['box-breathing', 6, 4],
    ['grounding-5-4-3-2-1', 7, 5],
  ];
  for (const [i, [tool, before, after]] of tools.entries()) {
    await create(page, baseUrl, 'coping-uses', {
      tool,
      started_at: daysAgo(days - 5 - i * 7, 21),
      distress_before: before,
      distress_after: after,
    });
  }
  await create(page, baseUrl, 'questionnaires', { instrument: 'phq9', answers: [1, 1, 1, 0, 1, 0, 1, 0, 0], at: daysAgo(days - 2) });
  await create(page, baseUrl, 'questionnaires', { instrument: 'gad7', answers: [1, 1, 0, 1, 0, 1, 0], at: daysAgo(days - 2) });
  await create(page, baseUrl, 'questionnaires', { instrument: 'phq9', answers: [1, 0, 1, 0, 1, 0, 0, 0, 0], at: daysAgo(until + 6) });
  await create(page, baseUrl, 'journal', {
    text: 'Walked to the river after work. Felt calmer than I expected.',
    at: daysAgo(until + 3, 20),
  });
  await create(page, baseUrl, 'journal', {
    text: 'I want to talk about the argument with my sister and why it stayed with me.',
    bring_to_session: true,
    at: daysAgo(until + 1, 21),
  });
  await create(page, baseUrl, 'homework', { text: 'Notice one good moment each evening', frequency: 'daily' });
}

/** Check-ins of `mood` on each of the last `count` days, ending today. */
export async function lowDays(page, baseUrl, count, mood = 3) {
  for (let d = count - 1; d >= 0; d--) {
    const at = d === 0 ? new Date(Date.now() - 60_000).toISOString() : daysAgo(d);
    await create(page, baseUrl, 'checkins', { mood, self_harm_thoughts: false, at });
  }
}

/** One check-in now. */
export async function checkInNow(page, baseUrl, fields) {
  return create(page, baseUrl, 'checkins', { at: new Date(Date.now() - 60_000).toISOString(), ...fields });
}

/** A session `days` days ago (no repeat). */
export async function sessionDaysAgo(page, baseUrl, days) {
  return create(page, baseUrl, 'sessions', { at: daysAgo(days, 10) });
}
