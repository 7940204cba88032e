import * as fs from 'node:fs';
import { CDocument, createCParser } from '../server/src/ebpf/analyze';
const lxc = fs.readFileSync('/work/shared/acceptance/cases/lxc.bpf.c', 'utf8');
const position = (text: string, offset: number) => { const before = text.slice(0, offset); const nl = before.lastIndexOf('\n'); return { line: before.length - before.replace(/\n/g, '').length, character: offset - nl - 1 }; };
const code = [' ', 'x', '_1', '7', ';', '(', ')', '{', '}', '"', "'", '\\', '/', '*', '#'];
const pieces = ['/*', '*/', '"', 'SEC(', ')', '//', ...code];
(async () => {
  const p = await createCParser({ wasmDir: '/work/main/dist' });
  const doc = new CDocument(p, 'lxc.bpf.c', lxc);
  let seed = 41;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return n > 0 ? seed % n : 0; };
  doc.analysis();
  for (let i = 0; i < 60; i++) {
    let text = doc.text;
    const at = rand(text.length + 1); const del = rand(3) === 0 ? rand(5) : 0;
    const end = Math.min(text.length, at + del);
    const piece = rand(5) === 0 ? '' : pieces[rand(pieces.length)];
    const prevRest = [...(doc as any).state.pre.rest]; const prevText = text;
    doc.applyChanges([{ range: { start: position(text, at), end: position(text, end) }, text: piece }]);
    text = text.slice(0, at) + piece + text.slice(end);
    doc.analysis();
    const fresh = new CDocument(p, 'lxc.bpf.c', text); fresh.analysis();
    const a = [...(doc as any).state.pre.rest].join(''), b = [...(fresh as any).state.pre.rest].join('');
    if (a !== b) {
      console.log('step', i, { at, del, piece, len: text.length });
      console.log('prev', prevRest.join('')); console.log('inc ', a); console.log('frsh', b);
      console.log(JSON.stringify(text.slice(-120)));
      console.log(JSON.stringify(prevText.slice(-120)));
      const f2 = new CDocument(p, 'lxc.bpf.c', prevText); f2.analysis(); console.log('fprv', [...(f2 as any).state.pre.rest].join(''));
      break;
    }
    fresh.dispose();
  }
})();
