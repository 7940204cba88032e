// The round trip on the live kernel: `lab up` every example and the Cilium-like node, import the
// lab's namespaces (`import --prefix P --source <its C files>`), and the imported file (plus the
// original's `path` lines) walks every path like the original: same hops, same verdicts.
// Skips, saying why, where the machine cannot run the lab (not root, no namespaces, ...).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { labUnsupported, netkitUnsupported } from '../../server/src/lab/support';
import { pathLines, walk } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const dirs = [
  ...fs.readdirSync(path.join(ROOT, 'examples')).map((d) => path.join(ROOT, 'examples', d)).filter((d) => fs.statSync(d).isDirectory()),
  path.join(__dirname, 'fixtures', 'cilium-node'),
];
const unsupported = labUnsupported();
if (unsupported) console.warn(`test/import/roundtrip.test.ts skipped: ${unsupported}.`);
const hasNetkit = (dir: string) => fs.readdirSync(dir).some((f) => f.endsWith('.topo') && /^netkit\s/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
// A kernel without netkit cannot build those: test/kernel-vm runs them under one that can.
const noNetkit = !unsupported && dirs.some(hasNetkit) ? netkitUnsupported() : undefined;
if (noNetkit) console.warn(`test/import/roundtrip.test.ts: topologies with netkit pairs skipped here (${noNetkit}); test/kernel-vm runs them.`);

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGINT' });

let parser: CParser;
let tmp: string;
beforeAll(async () => { parser = await createCParser(); tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-import-rt-')); });
afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

describe.skipIf(!!unsupported)('import round trip on the kernel', () => {
  for (const dir of dirs) {
    const topoName = fs.readdirSync(dir).find((f) => f.endsWith('.topo'))!;
    it.skipIf(!!noNetkit && hasNetkit(dir))(topoName, () => {
      const work = path.join(tmp, path.basename(dir));
      fs.cpSync(dir, work, { recursive: true });
      const topo = path.join(work, topoName);
      const cFiles = fs.readdirSync(work).filter((f) => f.endsWith('.c')).map((f) => path.join(work, f));
      const up = cli(['lab', 'up', topo, '--json']);
      try {
        expect(up.status, up.stderr).toBe(0);
        const prefix = (JSON.parse(up.stdout) as { prefix: string }).prefix;
        const out = path.join(work, 'imported.topo');
        const imp = cli(['import', '--prefix', prefix, ...cFiles.flatMap((c) => ['--source', c]), '-o', out]);
        expect(imp.status, imp.stderr).toBe(0);
        const orig = fs.readFileSync(topo, 'utf8');
        const imported = fs.readFileSync(out, 'utf8');
        const want = walk(parser, topo, orig, cFiles);
        const got = walk(parser, out, imported + '\n' + pathLines(orig).join('\n') + '\n', cFiles);
        expect(want.length).toBeGreaterThan(0);
        expect(got).toEqual(want);
        // Every attach line comes back, by its C name.
        const attaches = (t: string) => t.split('\n').filter((l) => l.startsWith('attach ')).map((l) => l.split(/\s+/).slice(0, 5).join(' ')).sort();
        expect(attaches(imported)).toEqual(attaches(orig));
      } finally {
        cli(['lab', 'down', topo]);
      }
    }, 180_000);
  }
});
