import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { junitReporter } from '@web/test-runner-junit-reporter';

// Always the system Chromium: the runner must never download a browser (there is no route to
// the browser CDNs here). CHROME_PATH overrides for machines that keep it elsewhere.
const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

// puppeteer-core adds its own headless flag and a fresh temporary profile per launch; these
// keep Chromium from phoning home (component updates, sync, QUIC probes) or needing /dev/shm.
const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  rootDir: '.',
  files: ['tests/browser/**/*.test.ts'],
  // Resolves bare specifiers and package.json "imports" (#protocol) the way Node does.
  nodeResolve: true,
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      define: { 'process.env.NODE_ENV': '"test"' },
    }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath, headless: true, args: chromiumArgs },
    }),
  ],
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 120_000,
  testFramework: { config: { timeout: 10_000 } },
  reporters: [defaultReporter(), junitReporter({ outputPath: 'reports/browser.xml' })],
};
