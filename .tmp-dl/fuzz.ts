import * as fs from 'node:fs';
import { CDocument, createCParser } from '../server/src/ebpf/analyze';
const files = ['/work/shared/acceptance/cases/lxc.bpf.c', '/work/shared/acceptance/cases/egress.bpf.c', '/work/shared/acceptance/cases/sections.bpf.c', '/work/shared/acceptance/cases/shaper.bpf.c',
  'test/ebpf/fixtures/redirects.bpf.c', 'test/ebpf/fixtures/conditionals.bpf.c', 'test/ebpf/fixtures/l2.bpf.c', 'test/ebpf/fixtures/program-types.bpf.c', 'test/ebpf/fixtures/sections.bpf.c', 'test/ebpf/fixtures/cilium/bpf_lxc.c'];
const stable = (a: any) => JSON.stringify({ ...a, timings: null });
const seeds = +(process.argv[2] ?? 20), steps = +(process.argv[3] ?? 60); const only = process.argv[4]; const seedFrom = +(process.argv[5] ?? 1);
(async () => {
  const p = await createCParser({ wasmDir: '/work/main/dist' });
  let fails = 0, total = 0;
  for (let seed0 = seedFrom; seed0 <= seeds; seed0++) for (const f of files) {
    if (only && !f.includes(only)) continue;
    let seed = seed0 * 7919 + f.length;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const src = fs.readFileSync(f, 'utf8');
    const doc = new CDocument(p, f, src);
    doc.analysis();
    const pieces = [' ', '\t', 'x', 'ab', '_1', '0', ';', '(', ')', '{', '}', '"', "'", '/', '*', '/*', '*/', '//', '\\', '#', '\n', '}\n', '\n}\n', 'SEC("xdp") ', 'SEC(', '"tc"', 'return TC_ACT_SHOT;', 'bpf_redirect(1, 2)', '__always_inline ', 'TC_ACT_OK', '#define Q 1\n', 'enum { ZZ = 3 };', 'static const int kk = 4;', 'int', 'return'];
    for (let i = 0; i < steps; i++) {
      const text = doc.text;
      const kind = rand(10);
      let at = rand(text.length + 1);
      // bias: word boundaries / line starts / ends
      if (kind === 1) { at = text.lastIndexOf('\n', at) + 1; }
      if (kind === 2) { const e = text.indexOf('\n', at); at = e < 0 ? text.length : e; }
      if (kind === 4) at = text.length - rand(3);
      if (kind === 5) at = rand(3);
      if (at < 0) at = 0;
      const del = rand(3) === 0 ? rand(kind === 3 ? 40 : 6) : 0;
      const piece = rand(4) === 0 ? '' : pieces[rand(pieces.length)];
      const newText = text.slice(0, at) + piece + text.slice(at + del);
      if (rand(2) === 0) {
        // via LSP ranges
        const pos = (o: number) => { const pre = text.slice(0, o); const line = pre.split('\n').length - 1; return { line, character: o - (pre.lastIndexOf('\n') + 1) }; };
        doc.applyChanges([{ range: { start: pos(at), end: pos(Math.min(text.length, at + del)) }, text: piece }]);
      } else doc.setText(newText);
      if (doc.text !== newText) { console.log('TEXT MISMATCH', f, i); fails++; break; }
      if (rand(5) === 0) continue; // batch with next edit
      const a = doc.analysis();
      total++;
      const fresh = new CDocument(p, f, doc.text); const fa = fresh.analysis();
      const S = (doc as any).state, F = (fresh as any).state;
      const diffs: string[] = [];
      if (S.pre.pre.text !== F.pre.pre.text) diffs.push('blanked');
      if (JSON.stringify(S.pre.pre.marks) !== JSON.stringify(F.pre.pre.marks)) diffs.push('marks');
      if (S.pre.rest.join() !== F.pre.rest.join()) diffs.push('rest');
      if (S.cuts.join() !== F.cuts.join()) diffs.push('cuts');
      if (JSON.stringify(S.directives) !== JSON.stringify(F.directives)) diffs.push('directives');
      const trees = (st: any) => st.chunks.map((c: any) => c.start + ':' + c.end + ':' + c.tree.rootNode.toString()).join('\n');
      if (trees(S) !== trees(F)) diffs.push('trees');
      const fns = (st: any) => JSON.stringify(st.source.functions.map((x: any) => ({ ...x, source: null })));
      if (fns(S) !== fns(F)) diffs.push('functions');
      if (stable(a) !== stable(fa)) diffs.push('analysis');
      if (diffs.length && process.env.SHOW) {
        const a1 = trees(S).split('\n'), b1 = trees(F).split('\n');
        for (let q = 0; q < Math.max(a1.length, b1.length); q++) if (a1[q] !== b1[q]) { console.log('INC  ', a1[q]); console.log('FRESH', b1[q]); const c = S.chunks[q]; console.log(JSON.stringify(S.pre.pre.text.slice(c.start, c.end))); console.log('PREV', JSON.stringify(text.slice(Math.max(0, at - 200), at + 200))); }
      }
      fresh.dispose();
      if (diffs.length) { fails++; console.log('FAIL', f, 'seed', seed0, 'step', i, JSON.stringify({ at, del, piece }), diffs.join(' | ')); break; }
    }
    doc.dispose();
  }
  console.log('checked', total, 'fails', fails);
})();
