import { readFile } from 'node:fs/promises';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { junitReporter } from '@web/test-runner-junit-reporter';
import { CHROMIUM_ARGS } from '../support/chromium-args.mjs';

// Always the system Chromium: the runner must never download a browser (there is no route to
// the browser CDNs here). CHROME_PATH overrides for machines that keep it elsewhere.
const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

// puppeteer-core adds a fresh temporary profile per launch; the flags are shared with the
// end-to-end tests (tests/support/chromium-args.mjs), with the new headless mode added here.
const chromiumArgs = ['--headless=new', ...CHROMIUM_ARGS];

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  rootDir: '.',
  files: ['tests/browser/**/*.test.ts'],
  // Resolves bare specifiers and package.json "imports" (#protocol) the way Node does.
  nodeResolve: true,
  plugins: [
    // `import css from '….css?inline'` gives the stylesheet's text, as Vite does in the build.
    {
      name: 'css-inline',
      async serve(context) {
        if (!context.path.startsWith('/node_modules/') || !context.path.endsWith('.css')) return;
        if (!context.URL.searchParams.has('inline')) return;
        const css = await readFile(`.${decodeURIComponent(context.path)}`, 'utf8');
        return { body: `export default ${JSON.stringify(css)};`, type: 'js' };
      },
    },
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
