import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  contentReply,
  type OpenAiTestServer,
  type RecordedChatRequest,
  type TestApp,
} from '@agent-orchestrator/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Pipeline, startPipeline } from '../tasks/pipeline-fixture';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'console-key-123';
/** Screenshots of the states a person sees, to look at after a run (gitignored). */
const SHOTS = join(__dirname, '../../test-results/console');

/** What a page reported that a person with the developer tools open would see as a problem. */
interface PageProblems {
  console: string[];
  failedResponses: string[];
}

function watch(page: Page): PageProblems {
  const problems: PageProblems = { console: [], failedResponses: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.console.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.failedResponses.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

/** How often `text` appears in what the page shows (hidden elements excluded). */
async function timesShown(page: Page, text: string): Promise<number> {
  const visible = await page.locator('body').innerText();
  return visible.split(text).length - 1;
}

/** The widest option text of a <select> against the room its box leaves for text. */
async function selectTextFits(
  page: Page,
  selector: string,
): Promise<{ fits: boolean; detail: string }> {
  return page.$eval(selector, (element) => {
    const select = element as HTMLSelectElement;
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const widest = Math.max(
      ...[...select.options].map((o) => context.measureText(o.textContent ?? '').width),
    );
    // Padding on both sides and the drop-down arrow (about 20 px in Chromium).
    const room =
      select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    return {
      fits: widest <= room,
      detail: `widest option ${widest.toFixed(0)} px, room ${room.toFixed(0)} px`,
    };
  });
}

/** The task console in a real browser: Debian's chromium, driven by playwright-core. */
describe('/console in headless Chromium', () => {
  let pipeline: Pipeline | undefined;
  let llm: OpenAiTestServer;
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: run npm run setup (it installs Debian's chromium).`);
    mkdirSync(SHOTS, { recursive: true });
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

  async function openWithKey(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    await page.goto(`${t.url}/console`);
    await page.fill('#api-key', KEY);
    await page.dispatchEvent('#api-key', 'change');
    await page.locator('#agent option[value="ContentAgent"]').waitFor({ state: 'attached' });
    return page;
  }

  it('asks the API for nothing before a key is entered: no 401, no console error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page);
    await page.goto(`${t.url}/console`);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, '1-empty.png'), fullPage: true });

    expect(problems).toEqual({ console: [], failedResponses: [] });
    expect(await page.getAttribute('#api-key', 'placeholder')).toContain('required');
    expect(await page.isVisible('#placeholder')).toBe(true);
    expect(await page.isVisible('#stream')).toBe(false);
    expect(await page.isVisible('#result')).toBe(false);
    await page.close();
  });

  it('streams a content task live, then shows its answer once with one References list', async () => {
    // The ContentAgent's answer is held after its first 40 chunks: the page is caught mid-stream.
    const isAnswer = (r: RecordedChatRequest): boolean =>
      JSON.stringify(r.body).includes('senior technical content writer') &&
      r.lastUserText.includes('Bosphorus');
    llm.when(isAnswer, (req) => ({ content: contentReply(req), holdAfterChunks: 40 }), {
      times: 1,
    });
    const hold = llm.holdNext(isAnswer);
    const page = await openWithKey();
    const problems = watch(page);
    await page.fill('#task', 'Write about the Bosphorus bridges');
    await page.selectOption('#agent', 'ContentAgent');
    await page.click('#submit');

    // Streaming: the first chunks have arrived, the rest is held back.
    await hold.reached;
    await page.locator('#stream', { hasText: 'Key points' }).waitFor();
    await page.screenshot({ path: join(SHOTS, '2-streaming.png'), fullPage: true });
    expect(await page.isVisible('#stream')).toBe(true);
    expect(await page.isVisible('#result')).toBe(false);
    expect(await page.textContent('#status')).toBe('processing');

    hold.release();
    await page.locator('#status', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.locator('#result .references').waitFor();
    await page.screenshot({ path: join(SHOTS, '3-finished.png'), fullPage: true });

    const task = (await page.evaluate(async (key) => {
      const id = document.getElementById('task-id')!.textContent;
      const res = await fetch(`/v1/tasks/${id}`, { headers: { 'X-API-Key': key } });
      return res.json();
    }, KEY)) as { result: { raw_output: string; citations: { index: number; url: string }[] } };
    const firstSentence = task.result.raw_output
      .split('\n')
      .find((l) => l.startsWith('This overview'))!;
    expect(firstSentence).toBeDefined();

    // One answer: the streamed text gives way to the stored one, shown once.
    expect(await page.isVisible('#stream')).toBe(false);
    expect(await timesShown(page, firstSentence.slice(0, 40))).toBe(1);
    // One References list, with every cited source, and no other list of sources.
    const headings = await page.locator('#result :is(h1,h2,h3,h4,h5,h6)').allInnerTexts();
    expect(headings.filter((h) => /references|sources/i.test(h))).toEqual(['References']);
    expect(await page.locator('ol.references').count()).toBe(1);
    expect(
      await page
        .locator('ol.references li a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ).toEqual(task.result.citations.map((c) => c.url));
    // A citation marker in the text leads to its entry.
    expect(await page.locator('#result a.cite').first().getAttribute('href')).toBe('#ref-1');
    expect(problems).toEqual({ console: [], failedResponses: [] });
    await page.close();
  });

  it('submits a code task, shows its events live and renders the completed result', async () => {
    const page = await openWithKey();
    await page.fill('#task', 'Write a Python function that reverses a string');
    await page.click('#submit');

    await page.locator('#status', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.locator('#result pre code').first().waitFor();
    expect(await page.textContent('#routing')).toContain('CodeAgent');
    expect(await page.textContent('#result')).toContain('Description');
    expect(await page.locator('ol.references').count()).toBe(0);
    expect(await page.isVisible('#stream')).toBe(false);
    const timeline = (await page.locator('#timeline li').allTextContents()).join('\n');
    expect(timeline).toMatch(/queued[\s\S]*processing[\s\S]*completed/);
    expect(await page.textContent('#task-id')).toMatch(/^[0-9a-f-]{36}$/);
    await page.close();
  });

  it.each([
    { name: 'desktop', viewport: { width: 1280, height: 900 } },
    { name: 'phone', viewport: { width: 390, height: 844 } },
  ])('shows the agent names whole in the drop-down ($name)', async ({ name, viewport }) => {
    const page = await openWithKey(viewport);
    await page.screenshot({ path: join(SHOTS, `4-form-${name}.png`) });
    expect(await selectTextFits(page, '#agent')).toEqual({
      fits: true,
      detail: expect.any(String),
    });
    await page.close();
  });

  it('cancels a running task from the page', async () => {
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes('cancel from the page'));
    const page = await openWithKey();
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
