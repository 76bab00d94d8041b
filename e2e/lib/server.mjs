// Starts the real `between` binary on a free loopback port with a fresh data directory,
// and keeps everything it prints so tests can read the log afterwards.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const READY_TIMEOUT_MS = 30_000;
const READY_LINE = /(http:\/\/127\.0\.0\.1:\d+)\//;
// Server logs are kept here (gitignored) for a person to read after a run.
export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

export function binaryPath() {
  const bin = process.env.BETWEEN_BIN;
  if (!bin) {
    throw new Error('BETWEEN_BIN is not set: name the between binary (scripts/test does this)');
  }
  return path.resolve(bin);
}

/**
 * Each call gets its own data directory. With `name`, the log is saved on stop() to
 * e2e/test-results/NAME.server.log.
 * @param {{env?: Record<string,string>, args?: string[], name?: string}} [options]
 * @returns {Promise<{url: string, dataDir: string, log: () => string, stop: () => Promise<void>}>}
 */
export async function startServer({ env = {}, args = [], name } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'between-e2e-'));
  let output = '';
  let ready = false;
  let exited = null;

  const child = spawn(
    binaryPath(),
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args],
    {
      env: { ...process.env, RUST_LOG: 'debug', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Never leave a server behind, even when the test process ends early.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exitedPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('exit', killOnExit);
      exited = { code, signal };
      resolve(exited);
    });
  });

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server printed no ready URL within ${READY_TIMEOUT_MS} ms; output:\n${output}`));
    }, READY_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      if (ready) return;
      const match = READY_LINE.exec(output);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exitedPromise.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before it was ready; output:\n${output}`));
    });
  });

  return {
    url,
    dataDir,
    log: () => output,
    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data directory. */
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
      if (name) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        writeFileSync(path.join(RESULTS_DIR, `${name}.server.log`), output);
      }
    },
  };
}
