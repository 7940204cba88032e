// Names that stand for numbers, and the expression evaluator behind them.
import { describe, expect, it } from 'vitest';
import { ConstantScope, type EnumList } from '../../server/src/ebpf/constants';
import { MacroTable, expandMacro, scanDirectives } from '../../server/src/ebpf/defines';
import { evaluate, parseIntLiteral } from '../../server/src/ebpf/expressions';

function scope(defines: string, enums: EnumList[] = [], globals: Record<string, string> = {}) {
  const macros = new MacroTable();
  macros.add(scanDirectives(defines, 'x.h').defines);
  return new ConstantScope(macros, enums, new Map(Object.entries(globals).map(([name, expr]) => [name, { name, expr }])));
}

describe('ConstantScope', () => {
  const s = scope([
    '#define A (1 << 3)',
    '#define B A',
    '#define C (B | BPF_F_INGRESS)',
    '#define MASK ~0xffUL',
    '#define BIT(n) (1U << (n))',
    '#define TWO BIT(1)',
    '#define LONG_ONE \\',
    '        (A + \\',
    '         2) /* trailing comment */',
    '#define SELF SELF',
    '#define PROTO bpf_htons(ETH_P_IP)',
    '#define HLEN (sizeof(struct ethhdr) + offsetof(struct iphdr, daddr))',
    '#define CAST ((__u8)0x1ff)',
    '#define CHR \'a\'',
    '#define TERN (A > 4 ? 10 : 20)',
    '#define CALL foo(1)',
    '# define SPACED 5',
  ].join('\n'), [{ entries: [{ name: 'E0', expr: null }, { name: 'E1', expr: null }, { name: 'E5', expr: '5' }, { name: 'E6', expr: null }, { name: 'EA', expr: 'A + E1' }] }], { G: 'C * 2', H: 'unknown_fn()' });

  it.each([
    ['A', 8], ['B', 8], ['C', 9], ['MASK', -256], ['TWO', 2], ['LONG_ONE', 10], ['PROTO', 8], ['HLEN', 30],
    ['CAST', 255], ['CHR', 97], ['TERN', 10], ['SPACED', 5], ['E0', 0], ['E1', 1], ['E5', 5], ['E6', 6], ['EA', 9], ['G', 18],
    ['TC_ACT_REDIRECT', 7], ['TCX_NEXT', -1], ['XDP_REDIRECT', 4], ['BPF_F_EXCLUDE_INGRESS', 16], ['ETH_ALEN', 6],
  ])('%s = %i', (name, value) => {
    expect(s.resolve(name, 'tc')?.value).toBe(value);
  });

  it('keeps the chain of names', () => {
    expect(s.resolve('B', 'tc')?.chain).toEqual(['B', 'A']);
    expect(s.resolve('C', 'tc')?.chain).toEqual(['C']);
  });

  it('gives up on non-constants and cycles', () => {
    expect(s.resolve('SELF', 'tc')).toBeNull();
    expect(s.resolve('CALL', 'tc')).toBeNull();
    expect(s.resolve('H', 'tc')).toBeNull();
    expect(s.resolve('nothing', 'tc')).toBeNull();
  });

  it("CTX_ACT_* depend on the program type (Cilium's ctx/skb.h, ctx/xdp.h)", () => {
    expect(s.resolve('CTX_ACT_OK', 'tc')).toEqual({ value: 0, chain: ['CTX_ACT_OK', 'TC_ACT_OK'] });
    expect(s.resolve('CTX_ACT_OK', 'xdp')).toEqual({ value: 2, chain: ['CTX_ACT_OK', 'XDP_PASS'] });
    expect(s.resolve('CTX_ACT_OK', 'other')).toBeNull();
  });

  it('a definition in the file wins over the built-in value', () => {
    expect(scope('#define TC_ACT_OK 42').resolve('TC_ACT_OK', 'tc')?.value).toBe(42);
  });

  it('folds function-like macro calls', () => {
    expect(s.foldMacroCall('BIT', ['4'], 'tc')?.value).toBe(16);
  });
});

describe('macros', () => {
  it('expands parameters, # and ##', () => {
    const t = new MacroTable();
    t.add(scanDirectives('#define F(a, b) bpf_redirect(a, b)\n#define S(x) #x\n#define P(x) prefix_##x\n#define V(fmt, ...) printk(fmt, __VA_ARGS__)\n', 'x.h').defines);
    expect(expandMacro(t.get('F')!, ['ifx', 'BPF_F_INGRESS'])).toBe('bpf_redirect ( ifx , BPF_F_INGRESS )');
    expect(expandMacro(t.get('S')!, ['tc'])).toBe('"tc"');
    expect(expandMacro(t.get('P')!, ['one'])).toBe('prefix_one');
    expect(expandMacro(t.get('V')!, ['"%d"', 'a', 'b'])).toBe('printk ( "%d" , a, b )');
  });

  it('scans #include "local" and <system> names', () => {
    const d = scanDirectives('#include <linux/bpf.h>\n#include "lib/common.h"\n  #  include "x.h" // c\n', 'x.c');
    expect(d.includes.map((i) => [i.name, i.local])).toEqual([['linux/bpf.h', false], ['lib/common.h', true], ['x.h', true]]);
  });
});

describe('evaluate', () => {
  const hooks = {
    ident: (n: string) => (n === 'X' ? [{ kind: 'const' as const, value: 3, name: 'X', chain: ['X'], origin: null }] : undefined),
    call: () => undefined,
    origin: () => null,
  };
  const ev = (t: string) => evaluate(t, { start: 0, end: t.length }, hooks);

  it('folds arithmetic with C semantics', () => {
    expect(ev('(X << 2) | 1')).toMatchObject([{ kind: 'const', value: 13 }]);
    expect(ev('-X / 2')).toMatchObject([{ kind: 'const', value: -1 }]);
    expect(ev('(int)-1')).toMatchObject([{ kind: 'const', value: -1 }]);
    expect(ev('(__u32)-1')).toMatchObject([{ kind: 'const', value: 4294967295 }]);
    expect(ev('1ULL << 40')).toMatchObject([{ kind: 'const', value: 2 ** 40 }]);
    expect(ev('!X + ~0')).toMatchObject([{ kind: 'const', value: -1 }]);
  });

  it('keeps names through parentheses and casts, and ternaries as sets', () => {
    expect(ev('((int)X)')).toMatchObject([{ kind: 'const', value: 3, name: 'X' }]);
    expect(ev('y ? X : 7').map((v) => v.kind === 'const' && v.value)).toEqual([3, 7]);
  });

  it('packet pointers: skb->data plus an offset', () => {
    expect(ev('(void *)(long)skb->data + 14')).toMatchObject([{ kind: 'packet', offset: 14 }]);
  });

  it('unknowns', () => {
    expect(ev('y + 1')).toMatchObject([{ kind: 'unknown', text: 'y + 1' }]);
    expect(ev('f(X)')).toMatchObject([{ kind: 'unknown' }]);
  });

  it('parses C literals', () => {
    expect([parseIntLiteral('0x1F'), parseIntLiteral('017'), parseIntLiteral('0b101'), parseIntLiteral('10UL'), parseIntLiteral("'\\n'"), parseIntLiteral('1.5')]).toEqual([31, 15, 5, 10, 10, null]);
  });
});
