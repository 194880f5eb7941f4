import { existsSync } from 'node:fs';
import type { OpenAiTestServer, TestApp } from '@agent-orchestrator/testing';
import { type Browser, chromium } from 'playwright-core';
import { type Pipeline, startPipeline } from '../tasks/pipeline-fixture';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'console-key-123';

/** The task console in a real browser: Debian's chromium, driven by playwright-core. */
describe('/console in headless Chromium', () => {
  let pipeline: Pipeline | undefined;
  let llm: OpenAiTestServer;
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: run npm run setup (it installs Debian's chromium).`);
    pipeline = await startPipeline({ mode: 'all', listen: true, env: { API_KEYS: KEY } });
    ({ llm, t } = pipeline);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await pipeline?.close();
  });

  it('submits a task, shows its events live and renders the completed result', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/console`);
    await page.fill('#api-key', KEY);
    await page.dispatchEvent('#api-key', 'change');
    await page.fill('#task', 'Write a Python function that reverses a string');
    await page.click('#submit');

    await page.locator('#status', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.locator('#result pre code').first().waitFor();
    expect(await page.textContent('#routing')).toContain('CodeAgent');
    expect(await page.textContent('#result')).toContain('Description');
    const timeline = (await page.locator('#timeline li').allTextContents()).join('\n');
    expect(timeline).toMatch(/queued[\s\S]*processing[\s\S]*completed/);
    expect(await page.textContent('#task-id')).toMatch(/^[0-9a-f-]{36}$/);
    await page.close();
  });

  it('cancels a running task from the page', async () => {
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes('cancel from the page'));
    const page = await browser.newPage();
    await page.goto(`${t.url}/console`);
    await page.fill('#api-key', KEY);
    await page.dispatchEvent('#api-key', 'change');
    await page.locator('#agent option[value="ContentAgent"]').waitFor({ state: 'attached' });
    await page.fill('#task', 'Write an essay, cancel from the page');
    await page.selectOption('#agent', 'ContentAgent');
    await page.click('#submit');
    await hold.reached;
    await page.click('#cancel');
    await page.locator('#status', { hasText: 'cancelled' }).waitFor({ timeout: 20_000 });
    hold.release();
    await page.close();
  });
});
