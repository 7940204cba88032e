// Redirect helpers reached directly, through inline wrappers and macros, with arguments
// resolved through #define, enum, const and local variables; whether their verdict is used.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, line, program, rangeOf, readFixture } from './setup';

const text = readFixture('redirects.bpf.c');
const analyze = () => analyzeFixture('redirects.bpf.c');
const only = async (name: string) => {
  const p = program(await analyze(), name);
  expect(p.redirects, name).toHaveLength(1);
  return p.redirects[0];
};

describe('redirect calls', () => {
  it('through an inline wrapper: the program call site, the inner call, flags from the caller', async () => {
    const r = await only('via_wrapper');
    expect(r.range).toEqual(rangeOf(text, 38, 'redirect_to(HOST_IFINDEX, FLAGS_IN)'));
    expect(r.at).toEqual({ file: 'redirects.bpf.c', range: rangeOf(text, 21, 'bpf_redirect(ifindex, flags)') });
    expect(r.via).toEqual([{
      name: 'redirect_to', kind: 'function',
      call: { file: 'redirects.bpf.c', range: rangeOf(text, 38, 'redirect_to(HOST_IFINDEX, FLAGS_IN)') },
      definition: { file: 'redirects.bpf.c', range: rangeOf(text, 19, 'redirect_to') },
    }]);
    expect(r.ifindex).toMatchObject({ text: 'ifindex', value: 4, names: ['HOST_IFINDEX'] });
    expect(r.flags).toMatchObject({ text: 'flags', value: 1, names: ['FLAGS_IN', 'BPF_F_INGRESS'] });
    expect(r.flags.origin.range).toEqual(rangeOf(text, 38, 'FLAGS_IN'));
    expect(r).toMatchObject({ kind: 'ingress', kindCertain: true, flagsLegal: true, resultUsed: true });
  });

  it('through two wrappers, with an enumerator after an explicit value', async () => {
    const r = await only('via_two');
    expect(r.via.map((v) => v.name)).toEqual(['double_wrap', 'redirect_to']);
    expect(r.ifindex.value).toBe(11);
    expect(r.kind).toBe('egress');
  });

  it('through a function-like macro with arithmetic arguments', async () => {
    const r = await only('via_macro');
    expect(r.via.map((v) => [v.name, v.kind])).toEqual([['REDIRECT_TO', 'macro']]);
    expect(r.range).toEqual(rangeOf(text, 50, 'REDIRECT_TO(DOUBLE_IF, BIT(0))'));
    expect(line(r.at.range)).toBe(10); // the #define
    expect(r.ifindex).toMatchObject({ text: 'DOUBLE_IF', value: 8 });
    expect(r.flags).toMatchObject({ text: 'BIT(0)', value: 1 });
    expect(r.kind).toBe('ingress');
  });

  it('through a statement macro that returns the verdict', async () => {
    const p = program(await analyze(), 'via_stmt_macro');
    expect(p.redirects[0]).toMatchObject({ resultUsed: true, kind: 'egress' });
    expect(p.redirects[0].ifindex.value).toBe(16); // IF_C = IF_B + 5
    expect(p.returns.map((r) => [line(r.range), r.values.map((v) => v.kind)])).toEqual([[57, ['redirect']], [58, ['const']]]);
  });

  it('a verdict kept in a variable, static const and const globals', async () => {
    const r = await only('via_var');
    expect(r.ifindex).toMatchObject({ text: 'k_host', value: 7 });
    expect(r.flags).toMatchObject({ text: 'k_flags', value: 1 });
    expect(r.resultUsed).toBe(true);
  });

  it('local const and initialized locals, enum from a macro', async () => {
    const r = await only('local_const');
    expect(r.ifindex).toMatchObject({ text: 'ifx', value: 10 });
    expect(r.flags).toMatchObject({ text: 'fl', value: 1, names: ['F_ING'] });
  });

  it('a ternary gives every possible flag; the kind is then uncertain', async () => {
    const r = await only('ternary_flags');
    expect(r.flags).toMatchObject({ value: null, values: [1, 0] });
    expect(r).toMatchObject({ kind: 'egress', kindCertain: false, flagsLegal: true });
  });

  it('dynamic arguments stay dynamic (a const volatile is set by the loader)', async () => {
    const r = await only('dynamic_args');
    expect(r.ifindex).toMatchObject({ text: 'cfg_ifindex', value: null, values: null });
    expect(r.flags).toMatchObject({ text: 'skb->mark', value: null });
    expect(r.flagsLegal).toBeNull();
  });

  it('bpf_clone_redirect: kind from its flags, its clone leaves whatever the verdict', async () => {
    const r = await only('clone_and_pass');
    expect(r).toMatchObject({ helper: 'bpf_clone_redirect', kind: 'clone-ingress', resultUsed: true, flagsLegal: true });
    expect(r.ifindex.value).toBe(3);
  });

  it('bpf_redirect_map keeps the map name', async () => {
    const r = program(await analyzeFixture('program-types.bpf.c'), 'xdp_map').redirects[0];
    expect(r).toMatchObject({ helper: 'bpf_redirect_map', kind: 'map', map: 'tx_port', flagsLegal: true });
    expect(r.flags).toMatchObject({ text: 'XDP_PASS', value: 2 });
  });
});

describe('is the verdict returned?', () => {
  it('a wrapper called as a statement: not used, with a fix', async () => {
    const r = await only('forgetful_wrapper');
    expect(r.resultUsed).toBe(false);
    expect(r.ignoredBy).toEqual({ range: rangeOf(text, 100, 'return TC_ACT_OK;'), value: 0, name: 'TC_ACT_OK' });
    expect(r.returnFix).toEqual({ range: rangeOf(text, 99, 'redirect_to(3, 0)'), text: 'return redirect_to(3, 0)' });
  });

  it('a wrapper that drops the verdict itself: not used, and no mechanical fix', async () => {
    const r = await only('wrapper_eats');
    expect(r.resultUsed).toBe(false);
    expect(r.ignoredBy?.range).toEqual(rangeOf(text, 106, 'return eats(3);'));
    expect(r.returnFix).toBeNull();
  });

  it('returning TC_ACT_REDIRECT afterwards counts', async () => {
    expect((await only('explicit_verdict')).resultUsed).toBe(true);
  });

  it('a TC_ACT_REDIRECT in the other branch does not', async () => {
    const r = await only('other_branch');
    expect(r.resultUsed).toBe(false);
    expect(line(r.ignoredBy!.range)).toBe(124);
  });

  it('with goto, anything may follow: not flagged', async () => {
    expect((await only('shot_on_failure')).resultUsed).toBe(true);
  });
});

describe('redirect diagnostics', () => {
  it('reports exactly these, at the offending token or call', async () => {
    const a = await analyze();
    expect(a.diagnostics.map((d) => [d.code, d.severity, line(d.range), d.range.start.character, d.range.end.character])).toEqual([
      ['redirect-bad-flags', 'error', 81, rangeOf(text, 81, '2').start.character, rangeOf(text, 81, '2').end.character],
      ['redirect-result-ignored', 'warning', 99, 1, 18],
      ['redirect-result-ignored', 'warning', 106, 8, 15],
      ['redirect-result-ignored', 'warning', 120, 2, 20],
      ['redirect-bad-flags', 'error', 137, 29, 42],
      ['redirect-bad-flags', 'error', 143, 39, 40],
    ]);
  });

  it('say what the kernel does and how to fix it', async () => {
    const a = await analyze();
    const [badWrapper, forgetful, eats, , peer, neigh] = a.diagnostics;
    expect(badWrapper.message).toBe('bpf_redirect() accepts only 0 or BPF_F_INGRESS: with 0x2 it records no target and returns TC_ACT_SHOT, so the packet is dropped (the value reaches it through redirect_to()). Use 0 to transmit out of the target (it plays Egress) or BPF_F_INGRESS to receive on it (it plays Ingress).');
    expect(forgetful.message).toBe('redirect_to() calls bpf_redirect() (line 21), which only records the target; skb_do_redirect acts on it only when the program returns TC_ACT_REDIRECT. This path returns TC_ACT_OK (line 100) instead, so no redirect happens: the packet continues as if the program had not run. Return its result: `return redirect_to(3, 0);`.');
    expect(forgetful.fix).toEqual({ title: "Return the redirect helper's verdict", range: rangeOf(text, 99, 'redirect_to(3, 0)'), text: 'return redirect_to(3, 0)' });
    expect(eats.fix).toBeUndefined();
    expect(peer.message).toBe('bpf_redirect_peer() requires flags 0: with 0x1 it returns TC_ACT_SHOT, so the packet is dropped. Pass 0.');
    expect(neigh.message).toContain('bpf_redirect_neigh() requires flags 0');
  });
});
