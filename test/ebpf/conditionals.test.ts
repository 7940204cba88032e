// #if / #ifdef / #elif / #else: only the compiled branch is analyzed, with macros defined so far.
import { describe, expect, it } from 'vitest';
import { compile, headerResolver } from '../../server/src/ebpf/conditionals';
import { scanDirectives } from '../../server/src/ebpf/defines';
import { analyzeFixture, line, program, readFixture } from './setup';

const header = readFixture('lib/redirect.h');
const analyze = (withHeader = true) => analyzeFixture('conditionals.bpf.c', withHeader ? { headers: new Map([['lib/redirect.h', header]]) } : {});

describe('conditional compilation', () => {
  it('drops programs in branches not taken', async () => {
    expect((await analyze()).programs.map((p) => p.name)).toEqual(['deliver', 'by_level', 'through_header']);
  });

  it('#ifdef picks the branch; a guarded #define keeps the first value', async () => {
    const p = program(await analyze(), 'deliver');
    expect(p.redirects.map((r) => [r.helper, r.ifindex.value, line(r.range)])).toEqual([['bpf_redirect_peer', 7, 22]]);
  });

  it('#if / #elif with defined(), arithmetic and predefined __BPF__; a header macro chosen by an earlier #define', async () => {
    const p = program(await analyze(), 'by_level');
    expect(p.redirects.map((r) => [r.ifindex.value, r.flags.value, r.flags.names])).toEqual([[2, 1, ['FLAGS_FROM_HEADER', 'BPF_F_INGRESS']]]);
  });

  it("a header's own #ifdef sees the includer's earlier #define", async () => {
    const p = program(await analyze(), 'through_header');
    expect(p.redirects.map((r) => [r.helper, r.at.file, line(r.at.range)])).toEqual([['bpf_redirect_peer', 'lib/redirect.h', 13]]);
  });

  it('compile(): hidden spans are the directive lines and the skipped branches', () => {
    const text = '#ifdef A\nint a;\n#else\nint b;\n#endif\n';
    const { hidden, macros } = compile({ file: 'x.c', text, directives: scanDirectives(text, 'x.c') }, [], () => undefined);
    expect(hidden.get('x.c')!.map((s) => text.slice(s.start, s.end))).toEqual(['#ifdef A', '\nint a;\n', '#else', '#endif']);
    expect(macros.has('A')).toBe(false);
  });

  it('headerResolver matches relative, exact and suffix paths', () => {
    const hs = ['src/lib/a.h', 'b.h', 'deep/x/c.h'].map((file) => ({ file, text: '', directives: scanDirectives('', file) }));
    const r = headerResolver(hs);
    expect(r('lib/a.h', 'src/prog.c')?.file).toBe('src/lib/a.h');
    expect(r('b.h', 'src/prog.c')?.file).toBe('b.h');
    expect(r('c.h', 'other.c')?.file).toBe('deep/x/c.h');
    expect(r('nope.h', 'src/prog.c')).toBeUndefined();
  });
});
