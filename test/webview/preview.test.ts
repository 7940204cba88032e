// The real preview page and script in headless Chromium, fed the messages the extension sends
// (GraphViews from graphFor on the examples): what it draws, hovers, clicks, keeps, escapes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromWebview } from '../../client/src/preview-protocol';
import { graphFor, type GraphView } from '../../server/src/lsp/graph';
import { ctxFor, EXAMPLES, workspace } from '../lsp-features/helpers';
import { EVIL, hostile } from '../preview/hostile';
import { bigView } from './big';
import { launch, open, results, serve, setTheme, unavailable, until, type Webview } from './harness';

const why = unavailable();
const BRIDGE = path.join(EXAMPLES, 'bridge-pods/bridge-pods.topo');
const REDIRECTS = path.join(EXAMPLES, 'ebpf-redirects/ebpf-redirects.topo');
const REDIRECT_C = path.join(EXAMPLES, 'ebpf-redirects/redirect.bpf.c');
const lineOf = (file: string, needle: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));

async function viewOf(file: string, line?: number, text?: string, others: string[] = []): Promise<GraphView> {
  const ws = await workspace(file, ...others);
  return graphFor(ctxFor(ws, file, text), line)!;
}

describe.skipIf(!!why)('the preview webview in Chromium', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let bridge: GraphView;
  let w: Webview;

  beforeAll(async () => {
    fs.mkdirSync(results, { recursive: true });
    server = await serve();
    chrome = await launch();
    bridge = await viewOf(BRIDGE, lineOf(BRIDGE, 'path pod1 -> pod2'));
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
  });

  const open_ = async (opts: Parameters<typeof open>[2] = {}) => { w = await open(chrome.browser, server.url, { theme: 'light', ...opts }); return w; };
  // SVG elements have no innerText: their text content is what a reader sees.
  const nodeText = async (id: string) => (await w.page.locator(`#canvas g.node[data-dl-node="${id}"]`).textContent()) ?? '';
  const reveals = async () => (await w.posted()).filter((m): m is Extract<FromWebview, { type: 'reveal' }> => m.type === 'reveal');

  it('draws one node per device, namespaces as groups, and every hop with its role', async () => {
    await open_();
    const r = await w.send({ type: 'graph', view: bridge });
    expect(r.kept).toBe(false);
    const g = bridge.graphs[0];
    expect(await w.page.locator('#canvas g.node[data-dl-node^="d"]').count()).toBe(g.devices.length);
    for (const d of g.devices) expect(await nodeText(d.id)).toContain(d.name);
    expect(await w.page.locator('#canvas g.cluster[data-dl-ns]').count()).toBe(3);
    for (const h of g.paths[0].hops) {
      const node = w.page.locator(`#canvas g.node[data-dl-node="${h.device}"]`);
      expect(await node.getAttribute('class')).toContain(`dl_${h.role}`);
      expect(await node.textContent()).toContain(`${'①②③④'[h.n - 1]} ${h.role.toUpperCase()}`);
    }
    // Off-path devices carry no role.
    const cni0 = g.devices.find((d) => d.key === 'cni0@host')!;
    expect(await nodeText(cni0.id)).not.toMatch(/INGRESS|EGRESS/);
    // The steps: path edges classed, the backlog queues drawn.
    expect(await w.page.locator('#canvas path.flowchart-link.dl_step').count()).toBeGreaterThanOrEqual(5);
    expect(await w.page.locator('#canvas g.node.dl_queue').count()).toBe(2);
    // The hop list says the same.
    expect(await w.page.locator('#details li.hop').allInnerTexts()).toHaveLength(4);
    expect(await w.page.locator('#verdict').innerText()).toBe('delivered');
    expect(w.problems).toEqual([]);
    expect(await w.page.evaluate('window.__dl.csp')).toEqual([]);
  });

  it('hovering a hop shows its explanation: role, what the device did, the kernel functions', async () => {
    const hop = bridge.graphs[0].paths[0].hops[1];
    await w.page.hover(`#canvas g.node[data-dl-node="${hop.device}"]`);
    const tip = w.page.locator('#tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    expect(text).toContain('② veth-pod1@host — Ingress');
    expect(text).toContain(hop.roleExplanation);
    expect(text).toContain('Hands it to the bridge cni0@host');
    expect(text).toContain('process_backlog');
    expect(text).toContain(bridge.graphs[0].glossary.br_handle_frame);
    // A stage in the hop list, and a step of the path.
    await w.page.hover('#details [data-stage="enqueue_to_backlog"] >> nth=0');
    await expect.poll(() => tip.innerText()).toContain('softnet_data.input_pkt_queue');
    await w.page.hover('#canvas g.edgeLabel.dl_step >> nth=1');
    await expect.poll(() => tip.innerText()).toMatch(/→/);
    await w.page.hover('#canvas g.node.dl_queue >> nth=0');
    await expect.poll(() => tip.innerText()).toContain('per-CPU backlog queue');
    await w.page.mouse.move(2, 2);
  });

  it('clicking a device posts a reveal of its topology line', async () => {
    const d = bridge.graphs[0].devices[2];
    await w.page.click(`#canvas g.node[data-dl-node="${d.id}"]`);
    await expect.poll(async () => (await reveals()).length).toBe(1);
    expect((await reveals())[0]).toEqual({ type: 'reveal', source: d.source });
    // The hop list's device button too.
    await w.page.click('#details li.hop >> nth=0 >> button.dev');
    await expect.poll(async () => (await reveals()).length).toBe(2);
    expect((await reveals())[1].source).toEqual(bridge.graphs[0].devices[0].source);
  });

  it('a syntax error keeps the last good picture under an error banner', async () => {
    const before = { id: await w.page.locator('#canvas svg').getAttribute('id'), text: await w.page.locator('#canvas').textContent() };
    const broken = fs.readFileSync(BRIDGE, 'utf8').replace('bridge cni0 10.244.1.1/24', 'bridge cni0 10.244.1.1/99').replace('nic eth0 192.168.1.10/24', 'nic');
    const view = await viewOf(BRIDGE, undefined, broken);
    expect(view.graphs[0].errors.length).toBeGreaterThan(0);
    const r = await w.send({ type: 'graph', view });
    expect(r.kept).toBe(true);
    expect({ id: await w.page.locator('#canvas svg').getAttribute('id'), text: await w.page.locator('#canvas').textContent() }).toEqual(before);
    const banner = w.page.locator('#banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.innerText()).toContain(`line ${lineOf(BRIDGE, 'bridge cni0') + 1}:`);
    await w.page.screenshot({ path: path.join(results, 'syntax-error.png') });
    // Fixed again: a new picture, no banner.
    const again = await w.send({ type: 'graph', view: bridge });
    expect(again.kept).toBe(true); // the very same picture: nothing to redraw
    expect(await banner.isVisible()).toBe(false);
  });

  it('follows edits: a changed topology is redrawn', async () => {
    const edited = `${fs.readFileSync(BRIDGE, 'utf8')}\nnetns pod3\nveth eth0@pod3 10.244.1.4/24 -- veth-pod3\n`;
    const view = await viewOf(BRIDGE, lineOf(BRIDGE, 'path pod1 -> pod2'), edited.replace('ports veth-pod1 veth-pod2', 'ports veth-pod1 veth-pod2 veth-pod3'));
    const r = await w.send({ type: 'graph', view });
    expect(r.kept).toBe(false);
    expect(await w.page.locator('#canvas g.node[data-dl-node^="d"]').count()).toBe(bridge.graphs[0].devices.length + 2);
    expect(await w.page.locator('#canvas').textContent()).toContain('veth-pod3');
    await w.send({ type: 'graph', view: bridge });
  });

  it('the path picker switches paths in place; the cursor (view.selected) picks one too', async () => {
    expect(await w.page.locator('#path-picker option').count()).toBe(3);
    await w.page.selectOption('#path-picker', '0:1');
    await until(w.page, `document.querySelector('#verdict').textContent === 'delivered' && document.querySelectorAll('#details li.hop').length === 3`);
    const cni0 = bridge.graphs[0].devices.find((d) => d.key === 'cni0@host')!;
    expect(await nodeText(cni0.id)).toContain('③ INGRESS');
    expect((await w.state())?.pick).toEqual({ graph: 0, path: 1 });
    const third = await viewOf(BRIDGE, lineOf(BRIDGE, 'path pod1 -> 203.0.113.9'));
    await w.send({ type: 'graph', view: third });
    expect(await w.page.locator('#verdict').innerText()).toBe('leaves the model');
    await w.send({ type: 'graph', view: bridge });
  });

  it('zooms and pans, and keeps its state (picture, path, zoom) when hidden and shown again', async () => {
    const scale = async () => Number(/scale\(([\d.]+)\)/.exec(await w.page.locator('#canvas').getAttribute('style') ?? '')?.[1]);
    const k0 = await scale();
    await w.page.click('#zoom-in');
    expect(await scale()).toBeCloseTo(k0 * 1.2, 3);
    const box = (await w.page.locator('#viewport').boundingBox())!;
    await w.page.mouse.move(box.x + 100, box.y + 100);
    // The wheel alone scrolls; with Ctrl it zooms at the mouse.
    const ty = async () => Number(/translate\([-\d.]+px, ([-\d.]+)px\)/.exec(await w.page.locator('#canvas').getAttribute('style') ?? '')?.[1]);
    const y0 = await ty();
    await w.page.mouse.wheel(0, 120);
    await expect.poll(ty).toBeCloseTo(y0 - 120, 1);
    expect(await scale()).toBeCloseTo(k0 * 1.2, 3);
    await w.page.keyboard.down('Control');
    await w.page.mouse.wheel(0, -300);
    await w.page.keyboard.up('Control');
    await expect.poll(scale).toBeGreaterThan(k0 * 1.2);
    await w.page.mouse.move(box.x + 40, box.y + 40);
    await w.page.mouse.down();
    await w.page.mouse.move(box.x + 140, box.y + 90, { steps: 5 });
    await w.page.mouse.up();
    await until(w.page, 'window.__dl.state && window.__dl.state.transform && window.__dl.state.transform.k > 1.2 * ' + k0);
    const state = (await w.state())!;
    expect(state.uri).toBe(bridge.uri);
    expect(state.view?.graphs[0].devices).toHaveLength(bridge.graphs[0].devices.length);
    await w.close();
    // VS Code hides the webview (its page is gone) and shows it again with getState().
    await open_({ state });
    await until(w.page, "document.querySelectorAll('#canvas g.node').length > 0");
    expect(await w.page.locator('#canvas g.node[data-dl-node^="d"]').count()).toBe(bridge.graphs[0].devices.length);
    expect(Number(/scale\(([\d.]+)\)/.exec(await w.page.locator('#canvas').getAttribute('style') ?? '')?.[1])).toBeCloseTo(state.transform!.k, 4);
    expect((await w.posted()).map((m) => m.type)).toContain('ready');
  });

  it('follows the theme: light, dark, high contrast', async () => {
    const fill = () => w.page.evaluate(`getComputedStyle(document.querySelector('#canvas g.node.dl_egress > .label-container')).fill`) as Promise<string>;
    const light = await fill();
    const n = Number(await w.page.evaluate('document.body.dataset.renders'));
    await setTheme(w.page, 'dark');
    await until(w.page, `Number(document.body.dataset.renders) > ${n}`);
    const dark = await fill();
    expect(dark).not.toBe(light);
    await setTheme(w.page, 'hc');
    await until(w.page, `Number(document.body.dataset.renders) > ${n + 1}`);
    expect(await fill()).toBe('rgb(0, 0, 0)');
    await w.page.screenshot({ path: path.join(results, 'bridge-pods-high-contrast.png') });
    await setTheme(w.page, 'light');
    await until(w.page, `Number(document.body.dataset.renders) > ${n + 2}`);
  });

  it('exports an SVG named after the topology and the path, legible outside VS Code in light and dark', async () => {
    await w.page.click('#export-svg');
    await expect.poll(async () => (await w.posted()).some((m) => m.type === 'saveSvg')).toBe(true);
    const out = (await w.posted()).find((m): m is Extract<FromWebview, { type: 'saveSvg' }> => m.type === 'saveSvg')!;
    expect(out.name).toBe('bridge-pods-pod1-pod2.svg');
    expect(out.svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(out.svg).toContain('@media (prefers-color-scheme: dark)');
    expect(out.svg).not.toContain('var(--vscode-');
    const file = path.join(results, out.name);
    fs.writeFileSync(file, out.svg);
    // Outside VS Code: the file alone, as an image, in a light and a dark browser.
    for (const scheme of ['light', 'dark'] as const) {
      const page = await chrome.browser.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 1000, height: 900 });
      await page.setContent(`<body style="margin:0;background:${scheme === 'dark' ? '#000' : '#fff'}"><img id="i" src="data:image/svg+xml;base64,${Buffer.from(out.svg).toString('base64')}" style="max-width:100%;max-height:900px"></body>`);
      await page.waitForFunction('document.getElementById("i").complete && document.getElementById("i").naturalWidth > 0');
      await page.screenshot({ path: path.join(results, `export-${scheme}.png`) });
      // The exported background follows the viewer's scheme.
      const bg = await page.evaluate(`(() => { const c = document.createElement('canvas'); const i = document.getElementById('i'); c.width = i.naturalWidth; c.height = i.naturalHeight; const x = c.getContext('2d'); x.drawImage(i, 0, 0); return Array.from(x.getImageData(3, 3, 1, 1).data); })()`) as number[];
      expect(scheme === 'dark' ? bg[0] < 40 : bg[0] > 220).toBe(true);
      await page.close();
    }
  });

  it('the peer redirect example: a redirect edge of its own, skipping the backlog queue; a click on the program reveals the C', async () => {
    const view = await viewOf(REDIRECTS, lineOf(REDIRECTS, 'path pod-a -> pod-b'));
    await w.send({ type: 'graph', view });
    const g = view.graphs[0];
    expect(await w.page.locator('#canvas path.flowchart-link.dl_redirect').count()).toBe(1);
    expect(await w.page.locator('#canvas g.edgeLabel.dl_redirect').textContent()).toContain('bpf_redirect_peer');
    expect(await w.page.locator('#canvas g.node.dl_skipped').textContent()).toContain('skipped');
    const lxcA = g.devices.find((d) => d.key === 'lxc-a@host')!;
    const hook = w.page.locator(`#canvas g.node[data-dl-node="${lxcA.id}"] .dl-hook`);
    expect(await hook.innerText()).toContain('lxc_a_to_pod_b');
    const n = (await reveals()).length;
    await hook.click();
    await expect.poll(async () => (await reveals()).length).toBe(n + 1);
    const src = (await reveals())[n].source;
    expect(src.uri).toMatch(/redirect\.bpf\.c$/);
    expect(src.range.start.line).toBe(lineOf(REDIRECT_C, 'int lxc_a_to_pod_b'));
  });

  it('a C document: the paths through the program under the cursor', async () => {
    const view = await viewOf(REDIRECT_C, lineOf(REDIRECT_C, 'return bpf_redirect(LXC_B_IFINDEX'), undefined, [REDIRECTS]);
    await w.send({ type: 'graph', view });
    expect(await w.page.locator('#path-picker option').allInnerTexts()).toEqual(['pod-c -> pod-b — delivered']);
    expect(await w.page.locator('#canvas .dl-hook-focus').count()).toBe(1);
    expect(await w.page.locator('#details h2').innerText()).toBe('pod-c -> pod-b');
  });

  it('names full of <script>, quotes and braces render as text and run nothing', async () => {
    const bad = hostile(bridge.graphs[0]);
    const view: GraphView = { ...bridge, graphs: [bad] };
    const r = await w.send({ type: 'graph', view });
    expect(r.kept).toBe(false);
    expect(await w.page.evaluate('window.__pwned')).toBeUndefined();
    expect(await w.page.locator('#canvas script, #canvas img, #details script, #details img, #tooltip img, header img').count()).toBe(0);
    expect(await nodeText(bad.devices[0].id)).toContain(`eth0${EVIL}`);
    expect(await w.page.locator('#title').innerText()).toBe(`bridge-pods${EVIL}`);
    expect(await w.page.locator('#path-picker option >> nth=0').innerText()).toContain(EVIL);
    await w.page.hover(`#canvas g.node[data-dl-node="${bad.devices[0].id}"]`);
    expect(await w.page.locator('#tooltip').innerText()).toContain(EVIL);
    expect(await w.page.locator('#tooltip img').count()).toBe(0);
    expect(await w.page.evaluate('window.__pwned')).toBeUndefined();
    expect(await w.page.evaluate('window.__dl.csp')).toEqual([]);
    expect(w.problems).toEqual([]);
    await w.page.screenshot({ path: path.join(results, 'hostile-names.png') });
  });

  it('the page: CSP with a nonce on every script, no inline data, mermaid strict', async () => {
    const html = await (await fetch(server.url)).text();
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    expect(csp).toContain(`script-src &#39;nonce-${server.nonce}&#39;`);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(csp).toContain('default-src &#39;none&#39;');
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts).toHaveLength(2);
    for (const s of scripts) {
      expect(s[1]).toContain(`nonce="${server.nonce}"`);
      expect(s[2]).toBe('');
    }
    expect(html).toMatch(/data-settings="\{&quot;compactAbove&quot;:150\}"/);
    expect(await w.page.evaluate('mermaid.mermaidAPI.getConfig().securityLevel')).toBe('strict');
  });

  it('a big topology folds the pods off the path; a click shows every device, zoomable', async () => {
    const view = bigView(2, 30);
    const g = view.graphs[0];
    expect(g.devices).toHaveLength(124);
    await w.send({ type: 'graph', view });
    expect(await w.page.locator('#canvas g.node.dl_fold').count()).toBe(2);
    expect(await w.page.locator('#canvas g.node[data-dl-node^="d"]').count()).toBe(8);
    const toggle = w.page.locator('#toggle-fold');
    expect(await toggle.innerText()).toBe('Show all 124 devices');
    await w.page.screenshot({ path: path.join(results, 'big-folded.png') });
    const n = Number(await w.page.evaluate('document.body.dataset.renders'));
    await w.page.click('#canvas g.node.dl_fold >> nth=0');
    await until(w.page, `Number(document.body.dataset.renders) > ${n}`, 60_000);
    expect(await w.page.locator('#canvas g.node[data-dl-node^="d"]').count()).toBe(124);
    expect(await toggle.innerText()).toBe('Fold pods');
    expect((await w.state())?.expand).toBe(true);
    await toggle.click();
    await until(w.page, `Number(document.body.dataset.renders) > ${n + 1}`, 60_000);
    expect(await w.page.locator('#canvas g.node[data-dl-node^="d"]').count()).toBe(8);
  });

  it('no picture from the server: says why and keeps what is drawn', async () => {
    await w.send({ type: 'graph', view: bridge });
    const r = await w.send({ type: 'graph', view: null, message: 'No picture: the language server is not running' });
    expect(r.kept).toBe(true);
    expect(await w.page.locator('#note').innerText()).toContain('not running');
    expect(await w.page.locator('#canvas g.node').count()).toBeGreaterThan(0);
  });
});
