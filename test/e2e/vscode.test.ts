// End to end, as a new user: package the extension, install the .vsix into a real VS Code
// (code-server 4.100.3) and drive it in headless Chromium with Playwright. Every step asserts
// what is on screen; a failing step saves a screenshot; the run saves screenshots of the
// hover, the code lenses, the diagnostic and the preview under test-results/e2e/.
// Skips, saying why, when code-server cannot be installed or started, or Chromium is missing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import type { CodeServer } from '../../scripts/code-server.mjs' with { 'resolution-mode': 'import' };

const root = path.resolve(__dirname, '../..');
const results = path.join(root, 'test-results', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const MAX_VSIX_BYTES = 5 * 1024 * 1024;
const STEP = 30_000; // one on-screen expectation: generous, the machine has 2 cores shared with other suites

let vsix: string | undefined;
let work: string | undefined; // a copy of examples/: the suite edits a topology file
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let notReady = 'the extension was not packaged (see the packaging test)';

fs.mkdirSync(results, { recursive: true });
// Screenshots of an earlier run's failures would read as this run's.
for (const f of fs.readdirSync(results)) if (f.startsWith('failure-')) fs.rmSync(path.join(results, f));

const said = new Set<string>();
/** Skips the step, saying why once on the console too (the default reporter hides skip notes). */
function skip(ctx: TestContext, why: string): never {
  if (!said.has(why)) { said.add(why); console.warn(`Datapath Lens end-to-end: skipped: ${why}.`); }
  return ctx.skip(`skipped: ${why}`);
}
/** .ci/run installs code-server and Chromium itself and sets DATAPATH_LENS_E2E=required: there a
 * missing browser or editor is a failure, not a skip. */
function unavailable(ctx: TestContext, why: string): never {
  notReady = why;
  if (process.env.DATAPATH_LENS_E2E === 'required') throw new Error(`${why} (DATAPATH_LENS_E2E=required)`);
  return skip(ctx, why);
}

/** `npm run package` in a copy of the project, so the production build never rewrites the
 * dist/ that the other suites are running at the same time. */
function packageExtension(): string {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'datapath-lens-package-'));
  const left = new Set(['node_modules', '.git', 'dist', 'test', 'test-results', '.bench', 'out']);
  try {
    fs.cpSync(root, stage, {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(root, src);
        return !left.has(rel.split(path.sep)[0]) && !rel.endsWith('.vsix');
      },
    });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'));
    const r = spawnSync('npm', ['run', 'package'], {
      cwd: stage, encoding: 'utf8', env: { ...process.env, npm_config_yes: 'true', npm_config_update_notifier: 'false' },
    });
    if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
    const out = path.join(results, 'datapath-lens.vsix');
    fs.copyFileSync(path.join(stage, 'datapath-lens.vsix'), out);
    return out;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

const activeEditor = '.editor-group-container.active .editor-instance';

async function shot(name: string): Promise<string> {
  const file = path.join(results, `${name}.png`);
  await page!.screenshot({ path: file });
  return file;
}

/** The visible lines of the active editor (Monaco renders spaces as no-break spaces). */
const editorText = async (): Promise<string> =>
  (await page!.locator(`${activeEditor} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');

/** Quick open (Ctrl+P), the way a user opens a file by name. */
async function openFile(name: string, expectText: string): Promise<void> {
  const p = page!;
  await p.keyboard.press('Control+P');
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP });
  await input.fill(name);
  await p.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: STEP });
  await p.keyboard.press('Enter');
  await expect.poll(editorText, { timeout: STEP }).toContain(expectText);
  await expect.poll(() => p.locator('.tabs-container .tab.active').first().innerText(), { timeout: STEP }).toContain(name);
}

async function goToLine(line: number): Promise<void> {
  const p = page!;
  await p.keyboard.press('Control+G');
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP });
  await input.fill(`:${line}`);
  // Enter acts on the picker's item, which follows the typed text a moment later.
  await p.locator('.quick-input-widget .monaco-list-row', { hasText: new RegExp(`\\b${line}\\b`) }).first().waitFor({ timeout: STEP });
  await p.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: STEP });
}

/** The box of a word in the active editor, from a DOM Range over its text nodes (tokens are
 * spans that include spaces, so an anchored text match would miss). */
async function wordBox(word: string): Promise<{ x: number; y: number } | null> {
  return page!.evaluate(`(() => {
    const lines = document.querySelector(${JSON.stringify(`${activeEditor} .view-lines`)});
    if (!lines) return null;
    const walker = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent.indexOf(${JSON.stringify(word)});
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + ${word.length});
      const b = r.getBoundingClientRect();
      return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
    }
    return null;
  })()`);
}

async function hover(word: string): Promise<Locator> {
  const p = page!;
  const content = p.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content');
  await expect.poll(() => wordBox(word), { timeout: STEP }).not.toBeNull();
  const box = (await wordBox(word))!;
  // Move onto the word in small steps: the editor shows a hover after the mouse rests there.
  await p.mouse.move(box.x - 40, box.y);
  await p.mouse.move(box.x, box.y, { steps: 5 });
  await content.first().waitFor({ state: 'visible', timeout: STEP });
  return content.first();
}

/** Types one line and ends it with Enter, closing the completion list first (the server
 * suggests names after a space or `@`; an Enter with the list open would accept one). */
async function typeLine(text: string): Promise<void> {
  const p = page!;
  await p.keyboard.type(text);
  const suggest = p.locator('.suggest-widget.visible');
  for (let quiet = 0, i = 0; quiet < 2 && i < 25; i++) {
    await p.waitForTimeout(150);
    if (await suggest.count()) { await p.keyboard.press('Escape'); quiet = 0; } else quiet++;
  }
  await p.keyboard.press('Enter');
}

const lensTexts = async (): Promise<string[]> => page!.locator(`${activeEditor} .codelens-decoration`).allInnerTexts();

/** The preview's text: a webview is an iframe holding a nested frame with the content. */
async function previewText(): Promise<string> {
  const nested = page!.frames().filter((f) => f.parentFrame() && f.parentFrame() !== page!.mainFrame());
  const texts = await Promise.all(nested.map((f) => f.evaluate('document.body ? document.body.innerText : ""').catch(() => '') as Promise<string>));
  return texts.join('\n');
}

/** What the preview still lacks, or undefined once the other engineer's preview exists. */
function previewMissing(): string | undefined {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const contributed = (pkg.contributes?.commands ?? []).some((c: { command: string }) => c.command === 'datapathLens.showPreview');
  const missing = [
    ...(fs.existsSync(path.join(root, 'client/src/preview.ts')) ? [] : ['client/src/preview.ts']),
    ...(contributed ? [] : ['the datapathLens.showPreview command in package.json']),
  ];
  return missing.length ? `the live preview is not there yet (missing: ${missing.join(', ')})` : undefined;
}

function previewCommandTitle(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const c = pkg.contributes.commands.find((x: { command: string }) => x.command === 'datapathLens.showPreview');
  return `${c.category ? `${c.category}: ` : ''}${c.title}`;
}

describe('Datapath Lens in a real VS Code (code-server in headless Chromium)', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      if (page) await shot(`failure-${ctx.task.name.replace(/[^\w]+/g, '-').slice(0, 60)}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('npm run package makes datapath-lens.vsix, under 5 MB', () => {
    vsix = packageExtension();
    const size = fs.statSync(vsix).size;
    expect(size).toBeGreaterThan(10_000);
    expect(size, `datapath-lens.vsix is ${(size / 1e6).toFixed(2)} MB`).toBeLessThan(MAX_VSIX_BYTES);
  }, 180_000);

  it('installs the .vsix into code-server and opens examples/ in Chromium', async (ctx) => {
    if (!vsix) skip(ctx, notReady);
    const cs = await import('../../scripts/code-server.mjs');
    let bin: string;
    try {
      bin = cs.ensureCodeServer(() => undefined);
    } catch (e) {
      return unavailable(ctx, `code-server ${cs.CODE_SERVER_VERSION} could not be installed (${String(e).split('\n')[0]})`);
    }
    if (!fs.existsSync(CHROMIUM)) {
      return unavailable(ctx, `Chromium is not installed at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);
    }
    work = cs.tempDir('datapath-lens-e2e-');
    const examples = path.join(work, 'examples');
    fs.cpSync(path.join(root, 'examples'), examples, { recursive: true });
    const prof = cs.profile(path.join(work, 'profile'));
    // A new user's profile; only the first-run noise (welcome page, tips) is turned off.
    cs.writeSettings(prof);
    expect(cs.installExtension(bin, prof, vsix!)).toMatch(/datapath-lens.*successfully installed/i);
    try {
      server = await cs.startCodeServer(bin, prof, { port: await cs.freePort(), folder: examples });
    } catch (e) {
      return unavailable(ctx, `code-server did not start (${String(e).split('\n')[0]})`);
    }
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    } catch (e) {
      return unavailable(ctx, `Chromium did not start (${String(e).split('\n')[0]})`);
    }
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}?folder=${encodeURI(examples)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The Explorer shows the examples, one folder per idea.
    const explorer = page.locator('.explorer-folders-view');
    await expect.poll(() => explorer.innerText(), { timeout: STEP }).toContain('ebpf-redirects');
    expect(await explorer.innerText()).toContain('wrong-direction');
  }, 600_000);

  it('opens the peer-redirect C file; the extension starts and indexes the workspace', async (ctx) => {
    if (!page) skip(ctx, notReady);
    await openFile('redirect.bpf.c', 'bpf_redirect_peer');
    // The status bar item of the client says the index is ready with the programs it found.
    const status = page!.locator('.statusbar-item', { hasText: /Datapath Lens: \d+ programs/ });
    await status.first().waitFor({ timeout: 60_000 });
    expect(Number((await status.first().innerText()).match(/(\d+) programs/)![1])).toBeGreaterThanOrEqual(4);
    // A workspace extension: installed and running beside the files (code-server's side, named
    // by its address), not in the browser.
    await page!.keyboard.press('Control+Shift+X');
    const remote = page!.locator('.extensions-viewlet .pane', { has: page!.locator('.pane-header', { hasText: /127\.0\.0\.1:\d+ - Installed/i }) });
    await expect.poll(() => remote.first().innerText(), { timeout: STEP }).toContain('Datapath Lens');
    await page!.keyboard.press('Control+Shift+E');
    await page!.locator('.explorer-folders-view').waitFor({ timeout: STEP });
  }, 120_000);

  it('shows code lenses above the programs and the redirects', async (ctx) => {
    if (!page) skip(ctx, notReady);
    await goToLine(34);
    await expect.poll(lensTexts, { timeout: STEP }).toContain('tc ingress · lxc-a@host · Ingress');
    const lenses = await lensTexts();
    // The peer redirect's lens names the device that plays the next role.
    expect(lenses.some((l) => l.includes('eth0@pod-b') && l.includes('Ingress')), lenses.join(' | ')).toBe(true);
    await shot('codelens');
  }, 60_000);

  it('hovering a program shows its hook and the role its device plays', async (ctx) => {
    if (!page) skip(ctx, notReady);
    const content = await hover('lxc_a_to_pod_b');
    await expect.poll(() => content.innerText(), { timeout: STEP }).toContain('tc-ingress');
    const text = await content.innerText();
    expect(text).toContain('lxc-a@host');
    expect(text).toMatch(/plays\s+Ingress/);
    await shot('hover');
    await page!.keyboard.press('Escape');
    await page!.mouse.move(5, 5);
  }, 60_000);

  it('shows the wrong-direction diagnostics in the editor and the Problems panel', async (ctx) => {
    if (!page) skip(ctx, notReady);
    await openFile('wrong.bpf.c', 'Two redirects that look right');
    await page!.keyboard.press('Control+Shift+M');
    const rows = page!.locator('.markers-panel .monaco-list-row');
    const all = async () => (await rows.allInnerTexts()).join('\n');
    await expect.poll(all, { timeout: STEP }).toContain('redirect-peer-not-ingress');
    await expect.poll(all, { timeout: STEP }).toContain('redirect-wrong-direction');
    const peer = (await rows.allInnerTexts()).find((r) => r.includes('redirect-peer-not-ingress'))!;
    expect(peer).toContain('bpf_redirect_peer in peer_at_egress');
    expect(peer).toMatch(/Ln 50/);
    // Clicking the problem reveals the call, squiggled, in the editor.
    await rows.filter({ hasText: 'redirect-peer-not-ingress' }).first().click();
    await expect.poll(editorText, { timeout: STEP }).toContain('return bpf_redirect_peer(LXC_B_IFINDEX, 0);');
    await page!.locator(`${activeEditor} .squiggly-error`).first().waitFor({ timeout: STEP });
    await shot('diagnostic');
  }, 60_000);

  it('opens the preview of a topology and shows its paths', async (ctx) => {
    if (!page) skip(ctx, notReady);
    const missing = previewMissing();
    if (missing) skip(ctx, missing);
    await page!.keyboard.press('Control+Shift+M'); // close the Problems panel again
    await openFile('ebpf-redirects.topo', 'path pod-a -> pod-b');
    await page!.keyboard.press('F1');
    const input = page!.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: STEP });
    await input.fill(`>${previewCommandTitle()}`);
    await page!.locator('.quick-input-widget .monaco-list-row', { hasText: previewCommandTitle() }).first().waitFor({ timeout: STEP });
    await page!.keyboard.press('Enter');
    await page!.locator('iframe.webview.ready').first().waitFor({ timeout: STEP });
    await expect.poll(previewText, { timeout: STEP }).toContain('eth0@pod-b');
    const text = await previewText();
    expect(text).toContain('lxc-a');
    expect(text).not.toContain('pod-d');
    await shot('preview');
  }, 90_000);

  it('editing the topology changes the preview', async (ctx) => {
    if (!page) skip(ctx, notReady);
    const missing = previewMissing();
    if (missing) skip(ctx, missing);
    const p = page!;
    const before = await previewText();
    // Back to the topology editor (the preview opened beside it), to its end: add a fourth pod and a path from it.
    await p.locator('.editor-group-container .tab', { hasText: 'ebpf-redirects.topo' }).first().click();
    // Clicking the tab focuses its editor. (Never click .view-lines itself: it is as wide as the
    // longest line, and Playwright would scroll the editor's DOM to reach its centre.)
    await p.keyboard.press('Control+End');
    const added = ['netns pod-d', 'veth eth0@pod-d 10.0.1.40/32 -- lxc-d', 'route @pod-d default dev eth0', 'route 10.0.1.40/32 dev lxc-d', 'path pod-d -> pod-b'];
    await p.keyboard.press('Enter');
    for (const line of added) await typeLine(line);
    // The preview follows the text as it is typed: the new pod and its veth appear.
    await expect.poll(previewText, { timeout: STEP }).toContain('lxc-d');
    expect(before).not.toContain('lxc-d');
    const shown = (await editorText()).split('\n').map((l) => l.trimEnd());
    for (const line of added) expect(shown).toContain(line);
    // The new path statement gets its lens, and with the cursor on it the preview shows that path.
    await expect.poll(async () => (await lensTexts()).filter((l) => l.startsWith('delivered')).length, { timeout: STEP }).toBe(4);
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Home');
    // pod-d's packet enters the host at lxc-d (Ingress), no program runs, the host routes it
    // out of lxc-b (Egress) into pod-b.
    await expect.poll(previewText, { timeout: STEP }).toContain('pod-d -> pod-b');
    const after = await previewText();
    expect(after).toMatch(/pod-d -> pod-b\s*—\s*delivered/);
    expect(after).toMatch(/EGRESS\s*eth0@pod-d/);
    expect(after).toMatch(/INGRESS\s*lxc-d@host/);
    await shot('preview-edited');
  }, 90_000);

  it('recovers when the language server is killed mid-session, and says so', async (ctx) => {
    if (!page) skip(ctx, notReady);
    const p = page!;
    // The server runs beside the files (code-server's side): find it by its bundle and kill it.
    const servers = () => spawnSync('pgrep', ['-f', 'datapath-lens.*dist/server.js'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    const before = servers();
    expect(before.length, 'a running Datapath Lens server').toBeGreaterThan(0);
    for (const pid of before) process.kill(Number(pid), 'SIGKILL');
    // The client restarts it and tells the user.
    await expect.poll(async () => p.locator('.notifications-toasts, .notification-toast').allInnerTexts().then((t) => t.join(' ')), { timeout: STEP })
      .toContain('language server stopped unexpectedly and was restarted');
    await expect.poll(() => servers().filter((pid) => !before.includes(pid)).length, { timeout: STEP }).toBeGreaterThan(0);
    await p.locator('.statusbar-item', { hasText: /Datapath Lens: \d+ programs/ }).first().waitFor({ timeout: 60_000 });
    await shot('server-restarted');
    // And it answers again: a hover in the topology editor names the device and its kind.
    await p.locator('.editor-group-container .tab', { hasText: 'ebpf-redirects.topo' }).first().click();
    const h = await hover('lxc-d');
    await expect.poll(() => h.innerText(), { timeout: STEP }).toMatch(/lxc-d[\s\S]*veth/);
  }, 120_000);
});
