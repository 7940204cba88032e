// Blanking libbpf macros before tree-sitter sees them: same offsets, no parse errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MacroTable, scanDirectives } from '../../server/src/ebpf/defines';
import { BlankRules, preprocess } from '../../server/src/ebpf/preprocess';
import { ACCEPTANCE, parser, readFixture } from './setup';

function blank(text: string, sectionMacros: string[] = []) {
  const macros = new MacroTable();
  macros.add(scanDirectives(text, 'x.c').defines);
  return preprocess(text, new BlankRules(macros, sectionMacros));
}

describe('preprocess', () => {
  it('keeps length and line breaks; turns map fields into int declarations', () => {
    const src = 'struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__type(key, __u32);\n\t__array(values, struct {\n\t\tint x;\n\t});\n} m SEC(".maps");\n';
    const out = blank(src).text;
    const sp = (n: number) => ' '.repeat(n);
    expect(out).toBe(
      'struct {\n' +
      `\tint${sp(4)}type${sp(', BPF_MAP_TYPE_HASH)'.length)};\n` +
      `\tint${sp(4)}key${sp(', __u32)'.length)};\n` +
      `\tint${sp(5)}values${sp(', struct {'.length)}\n${sp(8)}\n${sp(3)};\n` +
      `} m ${sp('SEC(".maps")'.length)};\n`,
    );
    expect(out.length).toBe(src.length);
  });

  it('blanks attribute macros and records section macros with their strings', () => {
    const src = 'static __always_inline __maybe_unused int f(void) { return 0; }\nSEC("tc/ingress") int g(struct __sk_buff *skb) { return 0; }\n';
    const r = blank(src);
    expect(r.text).toBe(src.replace('__always_inline __maybe_unused', ' '.repeat(30)).replace('SEC("tc/ingress")', ' '.repeat(17)));
    const sec = src.indexOf('SEC');
    expect(r.marks).toEqual([{ macro: 'SEC', span: { start: sec, end: sec + 17 }, section: 'tc/ingress', literal: { start: sec + 4, end: sec + 16 } }]);
  });

  it('leaves comments, strings and directives alone', () => {
    const src = '// SEC("tc") here\n/* __uint(a, b) */\n#define X SEC("xdp")\nchar *s = "SEC(\\"tc\\")";\n';
    const r = blank(src);
    expect(r.text).toBe(src);
    expect(r.marks).toEqual([]);
  });

  it('computes sections through macros: __section_entry → __section(PROG_TYPE "/entry")', () => {
    const src = '#define PROG_TYPE "sched_cls"\n#define __section(X) __attribute__((section(X), used))\n#define __section_entry __section(PROG_TYPE "/entry")\n__section_entry int f(void *ctx) { return 0; }\n';
    expect(blank(src).marks.map((m) => m.section)).toEqual(['sched_cls/entry']);
  });

  it('understands __stringify() in Cilium\'s legacy tail-call sections', () => {
    const src = '#define CILIUM_MAP_CALLS 2\n#define __section(X) __attribute__((section(X), used))\n#define __section_tail(ID, KEY) __section(__stringify(ID) "/" __stringify(KEY))\n__section_tail(CILIUM_MAP_CALLS, 15) int tail(void *ctx) { return 0; }\n';
    expect(blank(src).marks.map((m) => m.section)).toEqual(['2/15']);
  });

  it('removes every parse error tree-sitter-c reports on libbpf code', async () => {
    const p = await parser();
    for (const [name, text] of [
      ['lxc.bpf.c', fs.readFileSync(path.join(ACCEPTANCE, 'lxc.bpf.c'), 'utf8')],
      ['sections.bpf.c', readFixture('sections.bpf.c')],
      ['redirects.bpf.c', readFixture('redirects.bpf.c')],
      ['cilium/lib/ctx.h', readFixture('cilium/lib/ctx.h')],
    ]) {
      const raw = p.parse(text);
      const blanked = p.parse(blank(text, ['OPT_SEC', '__custom_entry=tc']).text);
      try {
        expect(raw.rootNode.hasError, `${name} raw`).toBe(true);
        expect(blanked.rootNode.hasError, `${name} blanked`).toBe(false);
      } finally {
        raw.delete();
        blanked.delete();
      }
    }
  });
});
