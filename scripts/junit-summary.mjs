#!/usr/bin/env node
// Sums the JUnit reports every runner wrote into reports/ and prints one line per report plus
// a total. Counts <testcase> elements and their children rather than trusting <testsuite>
// attributes: web-test-runner's reporter counts one failing test as both a failure and an error.
//
// Names each failed test first (the runners' own output may be far above, or cut short), then
// the counts. Exit 1 if a test failed, if nothing passed, or if an expected report is missing.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPORTS_DIR = 'reports';
const EXPECTED = ['unit', 'bun', 'browser', 'e2e'];

/**
 * @param {string} xml
 * @returns {{ passed: number, failed: number, skipped: number, failures: string[] }}
 */
function countTestcases(xml) {
  // CDATA and comments may hold anything, including text that looks like tags.
  const text = xml
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '');
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  const counts = { passed: 0, failed: 0, skipped: 0, failures: /** @type {string[]} */ ([]) };
  /** @type {{ failed: boolean, skipped: boolean, title: string } | null} */
  let current = null;
  const finish = () => {
    if (current === null) return;
    if (current.failed) {
      counts.failed += 1;
      counts.failures.push(current.title);
    } else if (current.skipped) counts.skipped += 1;
    else counts.passed += 1;
    current = null;
  };
  for (const match of text.matchAll(tag)) {
    const [, closing, name, attributes, selfClosing] = match;
    if (name === 'testcase') {
      if (closing) finish();
      else {
        const attr = (key) => new RegExp(`\\s${key}\\s*=\\s*"([^"]*)"`).exec(attributes ?? '')?.[1];
        const title = [attr('classname'), attr('name')].filter(Boolean).join(' › ');
        current = { failed: false, skipped: false, title: decodeEntities(title) };
        if (selfClosing) finish();
      }
    } else if (current !== null && !closing) {
      if (name === 'failure' || name === 'error') current.failed = true;
      else if (name === 'skipped') current.skipped = true;
    }
  }
  finish();
  return counts;
}

/** @param {string} text */
const decodeEntities = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

/** @param {{ passed: number, failed: number, skipped: number }} c */
const format = (c) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

function main() {
  const present = existsSync(REPORTS_DIR)
    ? readdirSync(REPORTS_DIR)
        .filter((file) => file.endsWith('.xml'))
        .map((file) => file.slice(0, -'.xml'.length))
    : [];
  const extra = present.filter((name) => !EXPECTED.includes(name)).sort();
  const total = { passed: 0, failed: 0, skipped: 0 };
  const missing = [];
  /** @type {string[]} */
  const failures = [];

  for (const name of [...EXPECTED, ...extra]) {
    const path = join(REPORTS_DIR, `${name}.xml`);
    if (!present.includes(name)) {
      missing.push(name);
      console.log(`  ${name}: MISSING (${path} was not written)`);
      continue;
    }
    const counts = countTestcases(readFileSync(path, 'utf8'));
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    failures.push(...counts.failures.map((title) => `${name}: ${title}`));
    console.log(`  ${name}: ${format(counts)}`);
  }
  for (const failure of failures) console.log(`  FAILED ${failure}`);
  console.log(`tests: ${format(total)}`);

  if (total.failed > 0 || total.passed === 0 || missing.length > 0) process.exitCode = 1;
}

main();
