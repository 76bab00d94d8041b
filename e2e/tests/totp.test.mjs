// The browser tests' own authenticator (lib/totp.mjs) against the published test vectors,
// so a failing two-step sign-in in a browser test points at the server, not at the test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, hotp, totp } from '../lib/totp.mjs';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
const SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC6238_SHA1 = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('TOTP matches the RFC 6238 SHA-1 test vectors', () => {
  for (const [time, expected] of RFC6238_SHA1) {
    assert.equal(totp(SEED, { time, digits: 8 }), expected, `T = ${time}`);
    // Six digits, as Between and authenticator apps use, are the last six of the same number.
    assert.equal(totp(SEED, { time }), expected.slice(2), `T = ${time}, 6 digits`);
  }
});

test('HOTP matches the RFC 4226 test vectors', () => {
  // RFC 4226 appendix D, counters 0 to 9, same seed.
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => assert.equal(hotp(SEED, counter), code, `counter ${counter}`));
});

test('a key shown in groups of four reads back to its bytes', () => {
  // "12345678901234567890" in RFC 4648 base32 is GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.
  assert.deepEqual(base32Decode('GEZD GNBV GY3T QOJQ gezd gnbv gy3t qojq'), SEED);
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', { time: 59, digits: 8 }), '94287082');
  assert.throws(() => base32Decode('GEZD1'), /not a base32 character/);
});
