import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-output');
const SCREENSHOT = path.join(OUTPUT_DIR, 'review-viewer.png');
const CSV_HEADER =
  'seq,created_at,role,type,text,task_id,task_status,model,prompt_tokens,completion_tokens,cost_usd,step_name,parent_id,author,labels';
const UI_TIMEOUT = 10_000;

/** Runs in the browser (serialized by Playwright); declared here because the tests compile without the DOM lib. */
declare const getComputedStyle: (node: unknown) => { backgroundColor: string };

describe('transcript viewer at /review', () => {
  let t: TestApp;
  let alice: string;
  let reviewer: string;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, string> = {};
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    let bob: string;
    [alice, bob, reviewer] = await Promise.all([t.token('alice'), t.token('bob'), t.token('rita', 'reviewer')]);
    ids.kettle = (await createSession(t, alice, { name: 'Kettle refund' })).id;
    expect((await say(t, alice, ids.kettle, 'My kettle arrived broken, I would like a refund')).status).toBe(201);
    const data = await t
      .http()
      .post(`/v1/sessions/${ids.kettle}/events?wait=true`)
      .set(auth(alice))
      .send({ parts: [{ kind: 'data', data: { orderId: 42 } }] });
    expect(data.status).toBe(201);
    ids.payment = (await createSession(t, bob, { name: 'Payment problem' })).id;
    expect((await say(t, bob, ids.payment, '/fail gateway timeout')).status).toBe(201);

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const resultCount = () => page.locator('#results > li').count();
  /** Waits until the result list holds exactly n sessions (locators poll without eval, which the page's CSP forbids). */
  const waitForResults = async (n: number) => {
    if (n > 0) await page.locator(`#results > li:nth-child(${n})`).waitFor({ state: 'attached' });
    await page.locator(`#results > li:nth-child(${n + 1})`).waitFor({ state: 'detached' });
  };
  const statusText = async () => (await page.locator('#status').textContent()) ?? '';
  const waitForStatus = (pattern: RegExp) => page.locator('#status', { hasText: pattern }).waitFor();

  it('serves the page and only its own assets, with a strict Content-Security-Policy', async () => {
    const index = await t.http().get('/review');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    const csp = index.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(index.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(index.text).not.toMatch(/\son[a-z]+=|style=/i);
    const js = await t.http().get('/review/assets/viewer.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['content-security-policy']).toBe(csp);
    expect((await t.http().get('/review/assets/viewer.css')).headers['content-type']).toMatch(/^text\/css/);
    for (const bad of ['index.html', 'secret.txt', '..%2Fviewer.controller.ts', '%2e%2e%2F%2e%2e%2Fapp.module.ts']) {
      expect((await t.http().get(`/review/assets/${bad}`)).status).toBe(404);
    }
  });

  it('signs in with a reviewer token and finds sessions by their text, highlighting the match', async () => {
    await page.goto(`${t.baseUrl}/review`);
    await page.getByLabel('Reviewer or admin token').fill(reviewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForResults(2);
    expect(await page.evaluate("sessionStorage.getItem('transcript-review.token')")).toBe(reviewer);
    await page.getByLabel('Text in the conversation').fill('kettle');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await waitForResults(1);
    const hit = page.locator('#results > li').first();
    expect(await hit.locator('.hit-name').textContent()).toBe('Kettle refund');
    expect(await hit.textContent()).toContain('alice');
    expect(await hit.locator('.snippet mark').allTextContents()).toEqual(['kettle']);
    expect(await hit.locator('.hit-name mark').allTextContents()).toEqual(['Kettle']);
    expect(await hit.locator('.matched').textContent()).toBe('Matched: name, conversation');
    expect(await hit.locator('.snippet').textContent()).not.toMatch(/[«»]/);
  });

  it('filters to the sessions with failed tasks', async () => {
    await page.getByLabel('Text in the conversation').fill('');
    await page.locator('#more-filters > summary').click();
    await page.getByLabel('Has failed tasks').check();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#results .hit-name', { hasText: 'Payment problem' }).waitFor();
    await waitForResults(1);
    expect(await resultCount()).toBe(1);
    expect(await page.locator('#results > li').first().textContent()).toContain('1 failed task');
  });

  it('shows a failed task in red with its error', async () => {
    await page.locator('#results button.hit').first().click();
    await page.locator('#session-title', { hasText: 'Payment problem' }).waitFor();
    const user = page.locator('.event--user').first();
    expect(await user.locator('.part-text').textContent()).toBe('/fail gateway timeout');
    const failed = page.locator('.event--agent .badge--failed');
    expect(await failed.textContent()).toBe('task failed');
    expect(await page.locator('.event--agent .task-error').textContent()).toBe('Error: gateway timeout');
    const color = await failed.evaluate((node) => getComputedStyle(node).backgroundColor);
    expect(color).toBe('rgb(180, 35, 24)');
  });

  it('reads a conversation as user and agent bubbles, with task badges and data parts as JSON', async () => {
    await page.getByLabel('Has failed tasks').uncheck();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await waitForResults(2);
    await page.locator('#results button.hit', { hasText: 'Kettle refund' }).click();
    await page.locator('#session-title', { hasText: 'Kettle refund' }).waitFor();
    await page.locator('#seq-4').waitFor();
    expect(await page.locator('#seq-1.event--user .part-text').textContent()).toBe(
      'My kettle arrived broken, I would like a refund',
    );
    expect(await page.locator('#seq-2.event--agent .part-text').textContent()).toContain(
      'Echo (turn 1): My kettle arrived broken',
    );
    expect(await page.locator('#seq-2 .badge').textContent()).toBe('task completed');
    const json = JSON.parse((await page.locator('#seq-3.event--user .part-data pre').textContent()) ?? '');
    expect(json).toEqual({ orderId: 42 });
    expect(await page.locator('#seq-3 .part-data pre').textContent()).toContain('\n  "orderId": 42\n');
    const userBox = await page.locator('#seq-1 .bubble').boundingBox();
    const agentBox = await page.locator('#seq-2 .bubble').boundingBox();
    expect(userBox!.x + userBox!.width).toBeGreaterThan(agentBox!.x + agentBox!.width + 50);
    expect(agentBox!.x).toBeLessThan(userBox!.x);
  });

  it('jumps to a seq and highlights it; an unknown seq is explained', async () => {
    await page.getByLabel('Jump to seq').fill('3');
    await page.getByRole('button', { name: 'Go' }).click();
    await page.locator('#seq-3.is-target').waitFor();
    expect(await page.locator('.event.is-target').count()).toBe(1);
    expect(await page.evaluate('document.activeElement.id')).toBe('seq-3');
    const box = await page.locator('#seq-3').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(900);
    await page.getByLabel('Jump to seq').fill('99');
    await page.getByRole('button', { name: 'Go' }).click();
    await waitForStatus(/Event #99 is not in this session/);
    expect(await page.locator('#status').getAttribute('data-kind')).toBe('error');
  });

  it('follows the session live: new messages and answers appear as they are posted', async () => {
    await page.getByLabel('Follow live').check();
    await waitForStatus(/Following live/);
    expect((await say(t, alice, ids.kettle, 'Is anybody following this live?')).status).toBe(201);
    await page.locator('#seq-5.event--user', { hasText: 'Is anybody following this live?' }).waitFor();
    await page.locator('#seq-6.event--agent', { hasText: 'Echo (turn 3): Is anybody following this live?' }).waitFor();
    await page.locator('#seq-6 .badge', { hasText: 'task completed' }).waitFor();
    expect(await page.locator('#events > li').count()).toBe(6);
    expect(await page.locator('#session-meta div', { hasText: 'Events' }).locator('dd').textContent()).toBe('6');
  });

  it("downloads the CSV transcript under the server's file name", async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`session-${ids.kettle}.csv`);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(CSV_HEADER);
    expect(csv).toContain('Is anybody following this live?');
    await waitForStatus(/Downloaded session-.*\.csv/);
  });

  it('renders sensibly, on wide and narrow screens, without console errors', async () => {
    await page.getByLabel('Text in the conversation').fill('following');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#results .snippet mark', { hasText: 'following' }).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await mkdir(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`\nreview viewer screenshot: ${SCREENSHOT}\n`);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const sidebar = await page.locator('nav.sidebar').boundingBox();
    const session = await page.locator('#session').boundingBox();
    // an open conversation comes first on a phone, the search below it
    expect(sidebar!.y).toBeGreaterThanOrEqual(session!.y + session!.height);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'review-viewer-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(consoleErrors).toEqual([]);
  });

  it("signs out, and explains a wrong token and a token that is not a reviewer's", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Reviewer or admin token').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('transcript-review.token')")).toBeNull();
    expect(await page.locator('#workspace').isHidden()).toBe(true);

    await page.getByLabel('Reviewer or admin token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForStatus(/not accepted/);
    expect(await page.locator('#status').getAttribute('data-kind')).toBe('error');
    expect(await page.locator('#workspace').isHidden()).toBe(true);

    await page.getByLabel('Reviewer or admin token').fill(alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForStatus(/may not review transcripts/);
    expect(await statusText()).toContain('sign in with a reviewer or admin token');
    expect(await page.locator('#workspace').isHidden()).toBe(true);
    expect(await page.evaluate("sessionStorage.getItem('transcript-review.token')")).toBeNull();
    // the browser reports the refused requests themselves; nothing else may have gone wrong
    expect(consoleErrors.filter((text) => !/status of 40[13]/.test(text))).toEqual([]);
  });
});
