// Broken, half-typed and hostile input never makes the analysis throw.
import { describe, expect, it } from 'vitest';
import { analyzeC } from '../../server/src/ebpf/analyze';
import { parser, readFixture } from './setup';

describe('robustness', () => {
  it('survives random cuts and splices of real files', async () => {
    const p = await parser();
    const sources = ['redirects.bpf.c', 'sections.bpf.c', 'l2.bpf.c', 'program-types.bpf.c', 'cilium/bpf_lxc.c'].map(readFixture);
    let seed = 42;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let i = 0; i < 150; i++) {
      const a = sources[rand(sources.length)];
      const b = sources[rand(sources.length)];
      const cut = rand(a.length);
      const from = rand(b.length);
      const text = a.slice(0, cut) + b.slice(from, from + rand(400)) + a.slice(cut + rand(50));
      expect(() => analyzeC(p, 'fuzz.c', text), `iteration ${i}`).not.toThrow();
    }
  });

  it('recursion in functions and macros ends', async () => {
    const p = await parser();
    const text = [
      '#define LOOP(x) LOOP(x)',
      '#define PING(x) PONG(x)',
      '#define PONG(x) PING(x)',
      '#define SELF SELF',
      'static int rec(int a) { return rec(a) + bpf_redirect(a, 0); }',
      'static int even(int a); static int odd(int a) { return even(a); } static int even(int a) { return odd(a); }',
      'SEC("tc") int prog(struct __sk_buff *skb) { LOOP(1); PING(2); odd(3); return rec(SELF); }',
    ].join('\n');
    const a = analyzeC(p, 'rec.c', text);
    expect(a.programs.map((x) => x.name)).toEqual(['prog']);
    expect(a.programs[0].redirects).toHaveLength(1);
  });

  it('empty and non-C text', async () => {
    const p = await parser();
    expect(analyzeC(p, 'e.c', '').programs).toEqual([]);
    expect(analyzeC(p, 'e.c', 'SEC("tc")').programs).toEqual([]);
    expect(analyzeC(p, 'e.c', '\u0000\u00ff😀 SEC( int f(').programs).toEqual([]);
  });
});
