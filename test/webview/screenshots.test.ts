// Screenshots of the preview on the teaching examples, light and dark, saved under
// test-results/webview/ for people to look at (the assertions are in preview.test.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFor, type GraphView } from '../../server/src/lsp/graph';
import { ctxFor, EXAMPLES, workspace } from '../lsp-features/helpers';
import { bigView } from './big';
import { launch, open, results, serve, setTheme, unavailable, until } from './harness';

const why = unavailable();

async function viewOf(topo: string, pathIndex: number): Promise<GraphView> {
  const file = path.join(EXAMPLES, topo);
  const ws = await workspace(file);
  const ctx = ctxFor(ws, file);
  const line = ws.topology(file)!.topology.paths[pathIndex].range.start.line;
  return graphFor(ctx, line)!;
}

describe.skipIf(!!why)('preview screenshots', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let chrome: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    fs.mkdirSync(results, { recursive: true });
    server = await serve();
    chrome = await launch();
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
  });

  const cases: Array<[string, string, number]> = [
    ['bridge-pods', 'bridge-pods/bridge-pods.topo', 0],
    ['host-gw', 'host-gw/host-gw.topo', 1],
    ['peer-redirect', 'ebpf-redirects/ebpf-redirects.topo', 0],
  ];
  for (const [name, topo, index] of cases) {
    it(`${name}: light and dark`, async () => {
      const w = await open(chrome.browser, server.url, { theme: 'light', width: 1400, height: 1250 });
      try {
        const r = await w.send({ type: 'graph', view: await viewOf(topo, index) });
        expect(r.kept).toBe(false);
        await w.page.screenshot({ path: path.join(results, `${name}.png`) });
        await setTheme(w.page, 'dark');
        await until(w.page, 'Number(document.body.dataset.renders) >= 2');
        await w.page.screenshot({ path: path.join(results, `${name}-dark.png`) });
        expect(w.problems).toEqual([]);
      } finally {
        await w.close();
      }
    }, 60_000);
  }

  it('a 500-device topology, its pods off the path folded', async () => {
    const w = await open(chrome.browser, server.url, { theme: 'light', width: 1400, height: 1250 });
    try {
      const r = await w.send({ type: 'graph', view: bigView(5, 49) });
      expect(r.kept).toBe(false);
      await w.page.screenshot({ path: path.join(results, 'big-500.png') });
    } finally {
      await w.close();
    }
  }, 60_000);
});
