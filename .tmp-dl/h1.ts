import * as fs from 'node:fs';
import { CDocument, analyzeC, createCParser } from '../server/src/ebpf/analyze';
const lxc = fs.readFileSync('/work/shared/acceptance/cases/lxc.bpf.c', 'utf8');
const stable = (a: any) => JSON.stringify({ ...a, timings: null });
(async () => {
  const p = await createCParser({ wasmDir: '/work/main/dist' });
  const doc = new CDocument(p, 'lxc.bpf.c', lxc);
  let seed = 7;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const pieces = [' ', ';', '\n', 'x', '(', ')', '{', '}', 'SEC("xdp") ', 'return TC_ACT_SHOT;', '/*', '*/', '#define Q 1\n', 'bpf_redirect(1, 2);'];
  for (let i = 0; i < 40; i++) {
    const text = doc.text;
    const at = rand(text.length);
    const del = rand(3) === 0 ? rand(6) : 0;
    const piece = pieces[rand(pieces.length)];
    doc.setText(text.slice(0, at) + piece + text.slice(at + del));
    const a = doc.analysis();
    const fresh = new CDocument(p, 'lxc.bpf.c', doc.text); const f = fresh.analysis();
    const S = (doc as any).state, F = (fresh as any).state;
    const diffs: string[] = [];
    if (S.pre.pre.text !== F.pre.pre.text) diffs.push('blanked');
    if (JSON.stringify(S.pre.pre.marks) !== JSON.stringify(F.pre.pre.marks)) diffs.push('marks');
    if (S.pre.rest.join() !== F.pre.rest.join()) diffs.push('rest');
    if (S.cuts.join() !== F.cuts.join()) diffs.push('cuts ' + S.cuts.join() + ' vs ' + F.cuts.join());
    const trees = (st: any) => st.chunks.map((c: any) => c.start + ':' + c.tree.rootNode.toString()).join('\n');
    if (trees(S) !== trees(F)) diffs.push('trees');
    if (stable(a) !== stable(f)) diffs.push('analysis');
    console.log(i, JSON.stringify({ at, del, piece }), diffs.join(' | '));
    fresh.dispose();
    if (diffs.length) {
      for (const st of [S, F]) {
        const L = 92; const ls = st.lines.lineStart(L - 1), le = st.lines.lineStart(L);
        console.log(JSON.stringify(st.pre.pre.text.slice(ls, le)), st.pre.rest[L - 1], st.pre.rest[L], st.lines.lineCount, st.pre.rest.length);
      }
      break;
    }
  }
  doc.dispose();
})();
export {};
