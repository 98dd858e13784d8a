import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The same headless Chromium as the viewer test (Debian's /usr/bin/chromium).
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
/** With DOCS_SCREENSHOTS=1 the screenshots are also copied to docs/images (the README shows them). */
const DOCS_IMAGES = path.resolve(__dirname, '..', '..', 'docs', 'images');
const UI_TIMEOUT = 10_000;
const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 390, height: 844 };
const HOSTILE = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"'&`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('support workspace at /review (Chromium)', () => {
  let t: TestApp;
  let alice: string;
  let reviewer: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};
  const seqOf: Record<string, number> = {};
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    [alice, reviewer] = await Promise.all([t.token('alice'), t.token('rita', 'reviewer')]);
    ids.kettle = (
      await createSession(t, alice, { name: 'Kettle refund', metadata: { customer: 'C-1009', channel: 'web' } })
    ).id;
    for (const text of ['My kettle arrived broken', '/tool lookup {"orderId":42}', '/set step=refund']) {
      expect((await say(t, alice, ids.kettle, text)).status).toBe(201);
    }
    expect((await say(t, alice, ids.kettle, '/artifact summary Refund approved')).status).toBe(201);
    const events = (await t.http().get(`/v1/sessions/${ids.kettle}/events`).set(auth(alice))).body.data as Json[];
    for (const type of ['tool_call', 'tool_result', 'state', 'artifact']) {
      seqOf[type] = events.find((e) => e.type === type)!.seq as number;
    }
    seqOf.trigger = events.find((e) => e.id === events.find((c) => c.type === 'tool_call')!.parentId)!.seq as number;
    ids.hostile = (await createSession(t, alice, { name: HOSTILE, metadata: { note: HOSTILE } })).id;
    expect((await say(t, alice, ids.hostile, HOSTILE)).status).toBe(201);
    ids.long = (await createSession(t, alice, { name: 'Long chat' })).id;
    for (let i = 1; i <= 10; i++) expect((await say(t, alice, ids.long, `message number ${i}`)).status).toBe(201);

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: WIDE, timezoneId: 'America/New_York', locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = async (target: Page, token: string) => {
    await target.getByLabel('Reviewer or admin token').fill(token);
    await target.getByRole('button', { name: 'Sign in' }).click();
  };
  const searchFor = async (q: string) => {
    await page.getByLabel('Text in the conversation').fill(q);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
  };
  const waitForResults = async (n: number) => {
    if (n > 0) await page.locator(`#results > li:nth-child(${n})`).waitFor({ state: 'attached' });
    await page.locator(`#results > li:nth-child(${n + 1})`).waitFor({ state: 'detached' });
  };
  const screenshot = async (name: string) => {
    await mkdir(OUTPUT_DIR, { recursive: true });
    const file = path.join(OUTPUT_DIR, name);
    await page.screenshot({ path: file });
    if (process.env.DOCS_SCREENSHOTS === '1') {
      await mkdir(DOCS_IMAGES, { recursive: true });
      await copyFile(file, path.join(DOCS_IMAGES, name));
    }
  };
  const inViewport = async (selector: string, height: number) => {
    const box = await page.locator(selector).boundingBox();
    return !!box && box.y >= 0 && box.y + box.height <= height;
  };

  it('shows who is signed in, and the first results without scrolling at 1440×900', async () => {
    await page.goto(`${t.baseUrl}/review`);
    await signIn(page, reviewer);
    await page.locator('#account-label', { hasText: 'Signed in as rita (reviewer)' }).waitFor();
    await waitForResults(3);
    expect(await inViewport('#results > li:nth-child(1)', WIDE.height)).toBe(true);
  });

  it('finds a conversation by a metadata value and opens it at its own address', async () => {
    await searchFor('C-1009');
    await waitForResults(1);
    const hit = page.locator('#results > li').first();
    expect(await hit.locator('.hit-name').textContent()).toBe('Kettle refund');
    expect(await hit.locator('.matched').textContent()).toBe('Matched: metadata');
    await hit.locator('button.hit').click();
    await page.locator('#session-title', { hasText: 'Kettle refund' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/review/sessions/${ids.kettle}`);
    const meta = page.locator('#session-meta');
    expect(await meta.locator('div', { hasText: 'Turns' }).locator('dd').textContent()).toBe('4');
    expect(await meta.locator('div', { hasText: 'User' }).first().locator('dd').textContent()).toBe('alice');
    expect(JSON.parse((await page.locator('#session-metadata-json').textContent())!)).toEqual({
      customer: 'C-1009',
      channel: 'web',
    });
    expect(JSON.parse((await page.locator('#session-state-json').textContent())!)).toEqual({ step: 'refund' });
    expect(await page.locator('#tasks-body tr').count()).toBe(4);
    expect(await page.locator('#tasks-body tr').first().locator('td').nth(3).textContent()).toBe('1');
    expect(await page.locator('#tasks-body tr').first().locator('td').nth(2).textContent()).toMatch(/\d( ms| s)$/);
  });

  it('shows steps as a trace: the call under its message, the result under its call, state and artifact', async () => {
    const call = page.locator(`#seq-${seqOf.trigger} > ol.trace > li#seq-${seqOf.tool_call}`);
    await call.waitFor();
    expect(await call.locator(':scope > details > summary .step-name').textContent()).toBe('lookup');
    const result = call.locator(`:scope > details > ol.trace > li#seq-${seqOf.tool_result}`);
    expect(await result.locator('.step-kind').textContent()).toBe('Tool result');
    expect(await result.locator('.step-time').textContent()).toMatch(/^\+\d/);
    expect(JSON.parse((await call.locator(':scope > details > .step-body pre').textContent())!)).toEqual({
      orderId: 42,
    });
    const state = page.locator(`ol.trace > li#seq-${seqOf.state}`);
    expect(await state.locator('.step-kind').textContent()).toBe('State change');
    expect(JSON.parse((await state.locator('pre').textContent())!)).toEqual({ step: 'refund' });
    const artifact = page.locator(`ol.trace > li#seq-${seqOf.artifact}`);
    expect(await artifact.locator('.step-name').textContent()).toBe('summary');
    expect(await artifact.locator('.part-text').textContent()).toBe('Refund approved');
    expect(await page.locator('#events > li.event--step').count()).toBe(0);
  });

  it('deep links: a pasted #seq-N lands on the event (reload too), copy link, back and forward', async () => {
    const link = `${t.baseUrl}/review/sessions/${ids.kettle}#seq-${seqOf.tool_result}`;
    await page.goto(link);
    await page.locator(`#seq-${seqOf.tool_result}.is-target`).waitFor();
    expect(await inViewport(`#seq-${seqOf.tool_result}`, WIDE.height)).toBe(true);
    await page.reload();
    await page.locator(`#seq-${seqOf.tool_result}.is-target`).waitFor();
    await page.locator('#seq-2 [data-action="copy-link"]').first().click();
    await page.locator('#status', { hasText: 'Link to event #2 copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(
      `${t.baseUrl}/review/sessions/${ids.kettle}#seq-2`,
    );
    expect(new URL(page.url()).hash).toBe('#seq-2');

    await searchFor('Long chat');
    await page.locator('#results button.hit', { hasText: 'Long chat' }).click();
    await page.locator('#session-title', { hasText: 'Long chat' }).waitFor();
    await page.goBack();
    await page.locator('#session-title', { hasText: 'Kettle refund' }).waitFor();
    await page.goForward();
    await page.locator('#session-title', { hasText: 'Long chat' }).waitFor();

    const colleague = await context.browser()!.newContext({ viewport: WIDE });
    const other = await colleague.newPage();
    await other.goto(link);
    await signIn(other, reviewer);
    await other.locator(`#seq-${seqOf.tool_result}.is-target`).waitFor({ timeout: UI_TIMEOUT });
    expect(await other.locator('#session-title').textContent()).toBe('Kettle refund');
    await colleague.close();
  });

  it('adds a note with labels to an event: shown on the event, in the list, through the API and in search', async () => {
    await page.goto(`${t.baseUrl}/review/sessions/${ids.kettle}`);
    await page.locator('#seq-2').waitFor();
    await page.locator('#seq-2 [data-action="annotate"]').first().click();
    expect(await page.getByLabel('About event seq (optional)').inputValue()).toBe('2');
    await page.getByLabel('Note', { exact: true }).fill('Customer sent a photo of the kettle');
    await page.getByLabel('Labels (comma-separated)').fill('refund, vip');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('#seq-2 .event-notes .annotation-text', { hasText: 'photo of the kettle' }).waitFor();
    expect(await page.locator('#annotation-list .label').allTextContents()).toEqual(['refund', 'vip']);
    const api = await t.http().get(`/v1/sessions/${ids.kettle}/annotations`).set(auth(reviewer));
    expect(api.body.data).toEqual([
      expect.objectContaining({
        seq: 2,
        authorId: 'rita',
        labels: ['refund', 'vip'],
        text: 'Customer sent a photo of the kettle',
      }),
    ]);
    await page.locator('#more-filters > summary').click();
    await page.getByLabel('Label', { exact: true }).fill('vip');
    await searchFor('');
    await waitForResults(1);
    expect(await page.locator('#results .hit-name').textContent()).toBe('Kettle refund');
    await page.getByLabel('Label', { exact: true }).fill('');
  });

  it('switches every time between local time and UTC', async () => {
    const first = page.locator('#session-meta time').first();
    const iso = (await first.getAttribute('datetime'))!;
    expect(await first.textContent()).toMatch(/ (EST|EDT)$/);
    await page.getByRole('button', { name: 'Times: local' }).click();
    await page.getByRole('button', { name: 'Times: UTC' }).waitFor();
    const utc = (await first.textContent())!;
    expect(utc).toMatch(/ UTC$/);
    const hour = new Date(iso).getUTCHours() % 12 || 12;
    expect(utc).toContain(`${hour}:${String(new Date(iso).getUTCMinutes()).padStart(2, '0')}`);
    expect(await page.locator('#events time').first().textContent()).toMatch(/ UTC$/);
    await page.getByRole('button', { name: 'Times: UTC' }).click();
    expect(await first.textContent()).toMatch(/ (EST|EDT)$/);
  });

  it('keeps the toolbar on screen and counts new messages that arrive while scrolled up', async () => {
    await page.goto(`${t.baseUrl}/review/sessions/${ids.long}`);
    await page.locator('#seq-20').waitFor();
    await page.getByLabel('Follow live').check();
    await page.locator('#status', { hasText: 'Following live' }).waitFor();
    await page.evaluate('window.scrollTo(0, 1200)');
    expect(await page.evaluate('window.scrollY')).toBeGreaterThan(1000);
    const title = await page.locator('#session-title').boundingBox();
    expect(title!.y).toBeLessThan(0);
    const toolbar = await page.locator('#toolbar').boundingBox();
    expect(Math.abs(toolbar!.y)).toBeLessThan(2);
    await page.evaluate('window.scrollTo(0, 0)');
    expect((await say(t, alice, ids.long, 'are you still there?')).status).toBe(201);
    await page.locator('#new-messages', { hasText: '2 new messages' }).waitFor();
    expect(await inViewport('#seq-22', NARROW.height)).toBe(false);
    await page.locator('#new-messages').click();
    await page.locator('#new-messages').waitFor({ state: 'hidden' });
    expect(await inViewport('#seq-22', WIDE.height)).toBe(true);
    await page.getByLabel('Follow live').uncheck();
  });

  it('is usable at 390 px (no horizontal scroll) and looks right at 1440×900', async () => {
    await page.goto(`${t.baseUrl}/review/sessions/${ids.kettle}#seq-${seqOf.trigger}`);
    await page.locator(`#seq-${seqOf.trigger}.is-target`).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot('review-workspace-1440.png');
    await page.setViewportSize(NARROW);
    await page.locator(`#seq-${seqOf.tool_call}`).scrollIntoViewIfNeeded();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(NARROW.width);
    const session = await page.locator('#session').boundingBox();
    const sidebar = await page.locator('nav.sidebar').boundingBox();
    expect(sidebar!.y).toBeGreaterThanOrEqual(session!.y + session!.height);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot('review-workspace-390.png');
    await page.setViewportSize(WIDE);
  });

  it('shows hostile text as text: names, metadata, messages and notes run nothing', async () => {
    await t.http().post(`/v1/sessions/${ids.hostile}/annotations`).set(auth(reviewer)).send({ text: HOSTILE, seq: 1 });
    await page.goto(`${t.baseUrl}/review`);
    await searchFor('onerror');
    await page.locator('#results button.hit').first().click();
    await page.locator('#seq-1 .event-notes').waitFor();
    expect(await page.locator('#session-title').textContent()).toBe(HOSTILE);
    expect(await page.locator('#seq-1 .part-text').textContent()).toBe(HOSTILE);
    expect(await page.locator('#seq-1 .annotation-text').textContent()).toBe(HOSTILE);
    expect(JSON.parse((await page.locator('#session-metadata-json').textContent())!)).toEqual({ note: HOSTILE });
    expect(await page.locator('#main img, #main script').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(consoleErrors).toEqual([]);
  });
});
