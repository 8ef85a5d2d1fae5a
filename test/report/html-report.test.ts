// The HTML report end to end: written by the CLI, opened in a real headless Chromium (Debian's), looked at.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lesson, root } from '../helpers.js';

const browser = '/usr/bin/chromium';
const noBrowser = existsSync(browser) ? undefined : `${browser} is missing: bash scripts/setup.sh --with-browser`;
if (noBrowser) console.warn(`skipping the HTML report in a browser: ${noBrowser}`);

const artifacts = join(root, 'test-artifacts');

/** An element's text as one line, however its layout breaks it. */
async function words(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

describe.skipIf(noBrowser)('the HTML report in Chromium', () => {
  const profile = mkdtempSync(join(tmpdir(), 'lesson-chromium-'));
  const report = join(mkdtempSync(join(tmpdir(), 'lesson-html-')), 'report.html');
  let context: BrowserContext;

  beforeAll(async () => {
    const run = await lesson(['check', 'test/fixtures/check', '--snapshots', 'test/fixtures/check/snapshots', '--reporter', `html=${report}`], {
      env: { CI: 'true' },
    });
    expect(run.exitCode).toBe(1);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browser,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test('shows the failing step diff under its block, with badges, prose and durations, and loads nothing else', async () => {
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(report).href);

    await expect.poll(() => page.locator('header .summary').innerText()).toMatch(/^1 passed 1 failed 1 skipped in \S+$/);
    const failing = page.locator('section.lesson.failed');
    expect(await failing.locator('h2').innerText()).toMatch(/^failed Failing test\/fixtures\/check\/failing\.md \S+$/);
    // The prose, rendered: the paragraph and the code block as written on the page.
    expect(await failing.locator('article p').first().innerText()).toBe('The snapshot recorded hello 42; the page now computes 6 × 8, so the first step differs.');
    const block = failing.locator('.block');
    expect(await block.locator('> pre').innerText()).toContain('$ echo "hello $((6 * 8))"');

    const step = block.locator('.step.failed');
    expect(await words(step.locator('.step-head'))).toMatch(/^failed test\/fixtures\/check\/failing\.md:9 echo "hello \$\(\(6 \* 8\)\)" \S+$/);
    const diff = step.locator('pre.diff');
    expect(await diff.isVisible()).toBe(true);
    expect((await diff.innerText()).split('\n')).toEqual(['--- snapshot', '+++ actual', '@@ -1,1 +1,1 @@', '-hello 42', '+hello 48']);
    // Removed and added lines are told apart by colour, not only by their sign.
    const [removed, added] = await Promise.all([diff.locator('.removed').last(), diff.locator('.added').last()].map((l) => l.evaluate((e) => getComputedStyle(e).color)));
    expect(removed).not.toBe(added);
    expect(await words(block.locator('.step.passed .step-head'))).toMatch(/^passed .*failing\.md:11/);

    expect(await page.locator('section.lesson.skipped .reason').innerText()).toBe('no-such-program-for-lesson-tests not found on PATH');
    expect(await page.locator('section.lesson.passed .step.passed').count()).toBe(3);
    expect(requests).toEqual([pathToFileURL(report).href]);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'html-report.png'), fullPage: true });
    await failing.screenshot({ path: join(artifacts, 'html-report-failing.png') });
    expect(existsSync(join(artifacts, 'html-report.png'))).toBe(true);
  });
});
