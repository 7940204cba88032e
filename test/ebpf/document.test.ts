// CDocument: edits applied to a kept tree give what a fresh analysis gives; and it is fast.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CDocument, analyzeC } from '../../server/src/ebpf/analyze';
import { ACCEPTANCE, FIXTURES, line, parser, readFixture, stable } from './setup';

const lxc = fs.readFileSync(path.join(ACCEPTANCE, 'lxc.bpf.c'), 'utf8');

describe('CDocument', () => {
  it('analyzes like analyzeC', async () => {
    const p = await parser();
    const doc = new CDocument(p, 'lxc.bpf.c', lxc);
    try {
      expect(stable(doc.analysis())).toEqual(stable(analyzeC(p, 'lxc.bpf.c', lxc)));
      expect(doc.analysis()).toBe(doc.analysis()); // cached until the next edit
    } finally {
      doc.dispose();
    }
  });

  it('applies LSP changes: returning the forgotten verdict clears the warning', async () => {
    const p = await parser();
    const doc = new CDocument(p, 'lxc.bpf.c', lxc);
    try {
      expect(doc.analysis().diagnostics.map((d) => d.code)).toEqual(['redirect-result-ignored']);
      const fix = doc.analysis().diagnostics[0].fix!;
      doc.applyChanges([{ range: fix.range, text: fix.text }]);
      expect(doc.text.split('\n')[57]).toBe('\t\treturn bpf_redirect(ifindex, 0);');
      expect(doc.analysis().diagnostics).toEqual([]);
      expect(stable(doc.analysis())).toEqual(stable(analyzeC(p, 'lxc.bpf.c', doc.text)));
    } finally {
      doc.dispose();
    }
  });

  it('a #define added above changes blanking and constants elsewhere, and shifts lines', async () => {
    const p = await parser();
    const doc = new CDocument(p, 'lxc.bpf.c', lxc);
    try {
      doc.applyChanges([
        { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '#define TO_HOST BPF_F_INGRESS\n#define MY_SEC(x) SEC(x)\n' },
        { range: { start: { line: 40, character: 30 }, end: { line: 40, character: 31 } }, text: 'TO_HOST' }, // to_pod_xmit's flags (line 39, now 41)
        { range: { start: { line: 34, character: 0 }, end: { line: 34, character: 9 } }, text: 'MY_SEC("tc/egress")' },
      ]);
      const a = doc.analysis();
      const xmit = a.programs.find((x) => x.name === 'to_pod_xmit')!;
      expect(xmit).toMatchObject({ section: 'tc/egress', sectionMacro: 'MY_SEC', hook: 'tc-egress' });
      expect(xmit.redirects[0]).toMatchObject({ kind: 'ingress', flags: { text: 'TO_HOST', value: 1 } });
      expect(line(xmit.redirects[0].range)).toBe(41);
      expect(stable(a)).toEqual(stable(analyzeC(p, 'lxc.bpf.c', doc.text)));
    } finally {
      doc.dispose();
    }
  });

  it('random edits: the incremental result always equals a fresh one', async () => {
    const p = await parser();
    const doc = new CDocument(p, 'lxc.bpf.c', lxc);
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pieces = [' ', ';', '\n', 'x', '(', ')', '{', '}', 'SEC("xdp") ', 'return TC_ACT_SHOT;', '/*', '*/', '#define Q 1\n', 'bpf_redirect(1, 2);'];
    try {
      for (let i = 0; i < 40; i++) {
        const text = doc.text;
        const at = rand(text.length);
        const del = rand(3) === 0 ? rand(6) : 0;
        doc.setText(text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at + del));
        expect(stable(doc.analysis()), `edit ${i}`).toEqual(stable(analyzeC(p, 'lxc.bpf.c', doc.text)));
      }
    } finally {
      doc.dispose();
    }
  });

  it('reuses a program whose text and lookups are unchanged, and only that', async () => {
    const p = await parser();
    const src = readFixture('redirects.bpf.c');
    const doc = new CDocument(p, 'redirects.bpf.c', src);
    const byName = () => new Map(doc.analysis().programs.map((x) => [x.name, x]));
    try {
      const first = byName();
      // A constant only via_wrapper reads.
      doc.setText(doc.text.replace('#define HOST_IFINDEX 4', '#define HOST_IFINDEX 5'));
      let now = byName();
      expect(now.get('via_wrapper')!.redirects[0].ifindex.value).toBe(5);
      expect(now.get('via_wrapper')).not.toBe(first.get('via_wrapper'));
      expect(now.get('via_macro')!.redirects[0].ifindex.value).toBe(10); // DOUBLE_IF reads it too
      expect(now.get('clone_and_pass')).toBe(first.get('clone_and_pass'));
      // The body of an inline function: every program inlining it is redone.
      const before = byName();
      doc.setText(doc.text.replace('return bpf_redirect(ifindex, flags);', 'return bpf_redirect(ifindex, flags | 2);'));
      now = byName();
      for (const n of ['via_wrapper', 'via_two', 'bad_flags_wrapper', 'forgetful_wrapper']) expect(now.get(n), n).not.toBe(before.get(n));
      expect(now.get('via_two')!.redirects[0].flagsLegal).toBe(false);
      for (const n of ['via_macro', 'explicit_verdict', 'wrapper_eats']) expect(now.get(n), n).toBe(before.get(n));
      // A new definition of a name that resolved to nothing.
      doc.setText(doc.text.replace('static const int k_host = 7;', 'static const int k_host = 7;\n#define TC_ACT_REDIRECT 9'));
      expect(byName().get('via_var')!.returns[0].values[0]).toMatchObject({ kind: 'const', value: 2 });
      expect(stable(doc.analysis())).toEqual(stable(analyzeC(p, 'redirects.bpf.c', doc.text)));
    } finally {
      doc.dispose();
    }
  });

  it('an edit to a const or an enumerator in place re-analyzes the programs reading it', async () => {
    const p = await parser();
    const src = readFixture('redirects.bpf.c');
    const doc = new CDocument(p, 'redirects.bpf.c', src);
    const program = (name: string) => doc.analysis().programs.find((x) => x.name === name)!;
    const at = (needle: string) => {
      const lines = doc.text.split('\n');
      const line = lines.findIndex((l) => l.includes(needle));
      const character = lines[line].indexOf(needle);
      return { start: { line, character }, end: { line, character: character + needle.length } };
    };
    try {
      expect(program('via_var').redirects[0].ifindex.value).toBe(7);
      expect(program('local_const').redirects[0].ifindex.value).toBe(10);
      doc.applyChanges([{ range: at('k_host = 7'), text: 'k_host = 9' }]);
      expect(program('via_var').redirects[0].ifindex.value).toBe(9);
      doc.applyChanges([{ range: at('IF_A = 10'), text: 'IF_A = 12' }]);
      expect(program('local_const').redirects[0].ifindex.value).toBe(12);
      expect(stable(doc.analysis())).toEqual(stable(analyzeC(p, 'redirects.bpf.c', doc.text)));
    } finally {
      doc.dispose();
    }
  });

  it('header changes are picked up', async () => {
    const p = await parser();
    const header = fs.readFileSync(path.join(FIXTURES, 'cilium/lib/ctx.h'), 'utf8');
    const doc = new CDocument(p, 'cilium/bpf_lxc.c', readFixture('cilium/bpf_lxc.c'), { headers: new Map([['lib/ctx.h', header]]) });
    try {
      expect(doc.analysis().programs[0].section).toBe('tc/entry');
      doc.setHeaders(new Map([['lib/ctx.h', header.replace('"tc"', '"xdp"')]]));
      expect(doc.analysis().programs[0]).toMatchObject({ section: 'xdp/entry', type: 'xdp' });
      doc.setHeaders(new Map());
      expect(doc.analysis().programs[0]).toMatchObject({ section: '__section_entry', sectionKnown: false });
    } finally {
      doc.dispose();
    }
  });
});

// Edits typed through LSP changes, where the document redoes only part of its work (one line
// blanked again, directives moved, chunks re-parsed): after each, the analysis must be the one
// a fresh analysis of the same text gives.
describe('incremental edits equal a fresh analysis', () => {
  type Rand = (n: number) => number;
  /** Where to edit: an offset of `text`, and how many characters may go from there. */
  type Where = (text: string, rand: Rand) => { at: number; del: number };

  const spans = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const inside = (re: RegExp, margin: number): Where => (text, rand) => {
    const all = spans(text, re).filter((s) => s.end - s.start > 2 * margin);
    if (all.length === 0) return { at: rand(text.length), del: 0 };
    const s = all[rand(all.length)];
    const at = s.start + margin + rand(s.end - s.start - 2 * margin + 1);
    return { at, del: rand(3) === 0 ? Math.min(rand(4), s.end - margin - at) : 0 };
  };
  const lineEdge = (end: boolean): Where => (text, rand) => {
    const starts = [0, ...spans(text, /\n/g).map((s) => s.end)];
    const ls = starts[rand(starts.length)];
    const le = text.indexOf('\n', ls);
    const at = end ? (le < 0 ? text.length : le) : ls;
    return { at, del: rand(3) === 0 ? rand(3) : 0 };
  };
  const anywhere: Where = (text, rand) => ({ at: rand(text.length + 1), del: rand(3) === 0 ? rand(40) : 0 });

  const position = (text: string, offset: number) => {
    const before = text.slice(0, offset);
    const nl = before.lastIndexOf('\n');
    return { line: before.length - before.replace(/\n/g, '').length, character: offset - nl - 1 };
  };

  async function check(file: string, src: string, where: Where, pieces: string[], opts: { seed: number; steps: number; batch?: number; headers?: Map<string, string> }) {
    const p = await parser();
    const doc = new CDocument(p, file, src, { headers: opts.headers });
    let seed = opts.seed;
    const rand: Rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return n > 0 ? seed % n : 0; };
    try {
      doc.analysis();
      for (let i = 0; i < opts.steps; i++) {
        // One LSP notification may hold several changes, applied in order.
        const changes = [];
        let text = doc.text;
        for (let k = 0; k < (opts.batch ?? 1); k++) {
          const { at, del } = where(text, rand);
          const end = Math.min(text.length, at + del);
          const piece = rand(5) === 0 ? '' : pieces[rand(pieces.length)];
          changes.push({ range: { start: position(text, at), end: position(text, end) }, text: piece });
          text = text.slice(0, at) + piece + text.slice(end);
        }
        doc.applyChanges(changes);
        expect(doc.text, `edit ${i}`).toBe(text);
        expect(stable(doc.analysis()), `edit ${i}`).toEqual(stable(analyzeC(p, file, text, { headers: opts.headers })));
        // What the analysis was made from, too: a stale part could still give the same result.
        const fresh = new CDocument(p, file, text, { headers: opts.headers });
        try {
          fresh.analysis();
          expect(inner(doc), `edit ${i}`).toEqual(inner(fresh));
        } finally {
          fresh.dispose();
        }
      }
    } finally {
      doc.dispose();
    }
  }

  /** The blanked text, scan state, directives and chunk trees behind a document's last analysis. */
  interface Inner {
    state: {
      directives: unknown; cuts: number[]; pre: { pre: { text: string; marks: unknown }; rest: Uint8Array };
      chunks: Array<{ start: number; end: number; tree: { rootNode: { toString(): string } } }>;
    };
  }
  const inner = (d: CDocument) => {
    const st = (d as unknown as Inner).state;
    return {
      blanked: st.pre.pre.text, marks: st.pre.pre.marks, rest: [...st.pre.rest], directives: st.directives, cuts: st.cuts,
      chunks: st.chunks.map((c) => `${c.start}-${c.end} ${c.tree.rootNode.toString()}`),
    };
  };

  const code = [' ', 'x', '_1', '7', ';', '(', ')', '{', '}', '"', "'", '\\', '/', '*', '#'];
  const redirects = readFixture('redirects.bpf.c');

  it('anywhere on a line: comments, literals and macro calls opened and closed', async () => {
    await check('lxc.bpf.c', lxc, (text, rand) => ({ at: rand(text.length + 1), del: rand(3) === 0 ? rand(5) : 0 }), ['/*', '*/', '"', 'SEC(', ')', '//', ...code], { seed: 41, steps: 60 });
  });

  it('inside comments: words, braces, and what closes or opens one', async () => {
    await check('lxc.bpf.c', lxc, inside(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, 2), [...code, '*/', '/*', 'SEC("xdp")', '}\n'], { seed: 11, steps: 40 });
  });

  it('inside strings and SEC("…") section names', async () => {
    await check('redirects.bpf.c', redirects, inside(/"(?:[^"\\\n]|\\.)*"/g, 1), [...code, 'tc', 'xdp', 'tc/ingress', '.maps', '" "'], { seed: 5, steps: 40 });
    await check('lxc.bpf.c', lxc, inside(/SEC\("[^"]*"\)/g, 5), ['x', 'tc', 'xdp/', 'license', '"', ')', ''], { seed: 9, steps: 30 });
  });

  it('on #define and #include lines, and lines that become or stop being directives', async () => {
    await check('redirects.bpf.c', redirects, inside(/^[ \t]*#[^\n]*/gm, 0), [...code, '#', '# define Z 3', '\\\n', 'define ', '5', 'HOST_IFINDEX'], { seed: 3, steps: 40 });
  });

  it('at line starts and ends: braces that cut the text into chunks, and backslashes', async () => {
    await check('lxc.bpf.c', lxc, lineEdge(false), ['}', '};', '} ', '{', '#', ' ', '\t', 'x', '/*', '//'], { seed: 13, steps: 40 });
    await check('redirects.bpf.c', redirects, lineEdge(true), ['}', ';', ' \\', '\\', '{', '*/', ' ', 'x'], { seed: 17, steps: 40 });
  });

  it('line breaks typed and deleted, several lines at once, several changes per notification', async () => {
    await check('lxc.bpf.c', lxc, anywhere, ['\n', '\n\n', '}\n', '\n}\n', 'int f(void)\n{\n\treturn 1;\n}\n', ...code], { seed: 23, steps: 30 });
    await check('redirects.bpf.c', redirects, anywhere, ['\n', 'x', ' ', '}', '{', '/*', '*/', '"'], { seed: 29, steps: 25, batch: 3 });
  });

  it('with a local header', async () => {
    const header = fs.readFileSync(path.join(FIXTURES, 'cilium/lib/ctx.h'), 'utf8');
    await check('cilium/bpf_lxc.c', readFixture('cilium/bpf_lxc.c'), anywhere, [...code, '\n', 'SEC("tc")'], { seed: 31, steps: 25, headers: new Map([['lib/ctx.h', header]]) });
  });
});

// Timings of these cases are measured by bench/ebpf.mjs (npm run bench), not asserted here.
describe('large files', () => {
  // 600 programs with inline helpers in 10,000 lines: a heavy case.
  let big = '';
  for (let i = 0; i < 120; i++) big += lxc.replace(/\b(to_pod_\w+|lookup_ifindex|endpoints|endpoint_macs|LICENSE)\b/g, `$1_${i}`);

  it('analyzes a 10,000-line file of 600 programs', async () => {
    const p = await parser();
    const a = analyzeC(p, 'big.bpf.c', big);
    expect(a.programs).toHaveLength(600);
  });

  it('re-analyzes a 10,000-line file after one-character edits, with the same result', async () => {
    const p = await parser();
    expect(big.split('\n').length).toBeGreaterThan(10000);
    const doc = new CDocument(p, 'big.bpf.c', big);
    try {
      expect(doc.analysis().programs).toHaveLength(600);
      for (let i = 0; i < 7; i++) {
        const at = big.indexOf('return TC_ACT_OK', (big.length * (i + 1)) >> 3);
        doc.setText(doc.text.slice(0, at) + (i % 2 ? '' : ' ') + doc.text.slice(at + (i % 2 ? 1 : 0)));
        const a = doc.analysis();
        expect(a.programs).toHaveLength(600);
        expect(a.diagnostics).toHaveLength(120);
      }
    } finally {
      doc.dispose();
    }
  });
});
