#!/usr/bin/env node
// The whole check, as CI runs it: static checks, then every test runner in turn. A failing
// step does not stop the ones after it, so one run shows every result; the JUnit summary at
// the end gives the totals and the exit code reflects every step.

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** @type {{ name: string, script: string, args?: string[] }[]} */
const STEPS = [
  { name: 'typecheck', script: 'typecheck' },
  { name: 'lint', script: 'lint' },
  { name: 'unit (vitest)', script: 'test:unit' },
  // Bun still prints its human report on stderr when a JUnit reporter is set.
  {
    name: 'bun (bun test)',
    script: 'test:bun',
    args: ['--reporter=junit', '--reporter-outfile=reports/bun.xml'],
  },
  { name: 'browser (web-test-runner)', script: 'test:browser' },
  { name: 'e2e (vitest, real processes)', script: 'test:e2e' },
];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @type {import('node:child_process').ChildProcess | null} */
let running = null;
/** @type {NodeJS.Signals | null} */
let interrupted = null;

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    interrupted = signal;
    // Ctrl-C already reaches the child through the terminal's process group; SIGTERM does not.
    if (running !== null && signal === 'SIGTERM') running.kill(signal);
  });
}

/**
 * @param {string} script
 * @param {string[]} args
 * @returns {Promise<number>}
 */
function run(script, args) {
  const argv = ['run', script, ...(args.length > 0 ? ['--', ...args] : [])];
  return new Promise((resolve) => {
    const child = spawn(npm, argv, { stdio: 'inherit' });
    running = child;
    child.once('error', (error) => {
      console.error(`could not start ${npm} ${argv.join(' ')}: ${error.message}`);
      running = null;
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      running = null;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function header(text) {
  const line = '='.repeat(Math.max(8, 78 - text.length));
  console.log(`\n=== ${text} ${line}`);
}

rmSync('reports', { recursive: true, force: true });

/** @type {{ name: string, code: number, seconds: string }[]} */
const results = [];
for (const [index, step] of STEPS.entries()) {
  if (interrupted) break;
  const args = step.args ?? [];
  header(
    `[${index + 1}/${STEPS.length}] ${step.name}: npm run ${step.script}${args.length ? ` -- ${args.join(' ')}` : ''}`,
  );
  const started = performance.now();
  const code = await run(step.script, args);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  results.push({ name: step.name, code, seconds });
}

header('summary');
for (const { name, code, seconds } of results) {
  console.log(
    `  ${code === 0 ? 'ok  ' : 'FAIL'} ${name} (${seconds}s${code === 0 ? '' : `, exit ${code}`})`,
  );
}
for (const step of STEPS.slice(results.length)) console.log(`  skip ${step.name} (interrupted)`);

header('test counts from reports/*.xml');
const summaryCode = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['scripts/junit-summary.mjs'], { stdio: 'inherit' });
  child.once('exit', (code) => resolve(code ?? 1));
});

const failedSteps = results.filter((r) => r.code !== 0).length;
if (interrupted) process.exit(interrupted === 'SIGINT' ? 130 : 143);
process.exit(failedSteps > 0 || summaryCode !== 0 ? 1 : 0);
