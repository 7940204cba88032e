// Section names → program type and attach point, and every way a section is written.
import { describe, expect, it } from 'vitest';
import { classifySection, isDataSection, typeFromContext } from '../../server/src/ebpf/sections';
import { analyzeFixture, line, program, rangeOf, readFixture } from './setup';

describe('classifySection', () => {
  it.each([
    ['tc', 'sched_cls', null, null, null],
    ['classifier', 'sched_cls', null, null, null],
    ['action', 'sched_cls', null, null, null],
    ['tc/ingress', 'sched_cls', 'tc-ingress', 'tc-ingress', 'ingress'],
    ['tc/egress', 'sched_cls', 'tc-egress', 'tc-egress', 'egress'],
    ['tcx/ingress', 'sched_cls', 'tcx-ingress', 'tcx-ingress', 'ingress'],
    ['tcx/egress', 'sched_cls', 'tcx-egress', 'tcx-egress', 'egress'],
    ['netkit/primary', 'sched_cls', 'netkit-primary', 'netkit-primary', null],
    ['netkit/peer', 'sched_cls', 'netkit-peer', 'netkit-peer', null],
    ['xdp', 'xdp', 'xdp', 'xdp', 'ingress'],
    ['xdp.frags', 'xdp', 'xdp', 'xdp', 'ingress'],
    ['xdp/devmap', 'xdp', 'xdp-devmap', null, 'egress'],
    ['xdp.frags/devmap', 'xdp', 'xdp-devmap', null, 'egress'],
    ['xdp/cpumap', 'xdp', 'xdp-cpumap', null, null],
    ['cgroup_skb/ingress', 'cgroup_skb', 'cgroup-skb-ingress', null, 'ingress'],
    ['cgroup_skb/egress', 'cgroup_skb', 'cgroup-skb-egress', null, 'egress'],
    ['lwt_xmit', 'lwt_xmit', null, null, null],
    ['tc/entry', 'sched_cls', null, null, null],
    ['from-container', null, null, null, null],
  ])('%s', (section, type, attach, hook, role) => {
    expect(classifySection(section)).toMatchObject({ type, attach, hook, role });
  });

  it('xdp.frags is marked', () => {
    expect(classifySection('xdp.frags').frags).toBe(true);
    expect(classifySection('xdp').frags).toBe(false);
  });

  it('knows data sections', () => {
    for (const s of ['license', '.maps', 'maps', '.data', '.rodata.str1.1', '.bss', 'version', 'maps/foo']) expect(isDataSection(s), s).toBe(true);
    for (const s of ['tc', 'xdp', 'from-container', 'classifier']) expect(isDataSection(s), s).toBe(false);
  });

  it('infers the type from the context argument, through #define aliases', () => {
    const alias = (n: string) => (n === '__ctx_buff' ? '__sk_buff' : n === 'my_ctx' ? 'xdp_md' : undefined);
    expect(typeFromContext('struct xdp_md *ctx', alias)).toBe('xdp');
    expect(typeFromContext('struct __sk_buff *skb', alias)).toBe('sched_cls');
    expect(typeFromContext('struct __ctx_buff *ctx', alias)).toBe('sched_cls');
    expect(typeFromContext('struct my_ctx *ctx', alias)).toBe('xdp');
    expect(typeFromContext('void *ctx', alias)).toBeNull();
  });
});

describe('section forms in a file', () => {
  const opts = { sectionMacros: ['OPT_SEC', '__custom_entry=tc/ingress'] };
  const text = readFixture('sections.bpf.c');

  it('finds exactly the functions placed in program sections', async () => {
    const a = await analyzeFixture('sections.bpf.c', opts);
    expect(a.programs.map((p) => p.name)).toEqual([
      'tc_in', 'tc_out', 'tcx_in', 'tcx_out', 'nk_primary', 'nk_peer', 'plain_xdp', 'frags_xdp', 'devmap_xdp', 'cpumap_xdp',
      'cg_in', 'cg_out', 'plain_tc', 'classic', 'act', 'lwt', 'from_container', 'attr_before', 'attr_inside', 'cil_entry',
      'via_fn_macro', 'via_obj_macro', 'via_option', 'via_option_object',
    ]);
    expect(a.includes).toEqual(['common.h']);
    expect(a.diagnostics).toEqual([]);
  });

  it('SEC("…") on the same line: ranges of the function, its name and the section string', async () => {
    const p = program(await analyzeFixture('sections.bpf.c', opts), 'tcx_in');
    expect(p).toMatchObject({ section: 'tcx/ingress', sectionKnown: true, sectionMacro: 'SEC', type: 'sched_cls', typeFrom: 'section' });
    expect(p.nameRange).toEqual(rangeOf(text, 22, 'tcx_in'));
    expect(p.sectionRange).toEqual(rangeOf(text, 22, '"tcx/ingress"'));
    expect(p.sectionMacroRange).toEqual(rangeOf(text, 22, 'SEC("tcx/ingress")'));
    expect(p.range.start).toEqual(rangeOf(text, 22, 'int tcx_in').start);
    expect(p.range.end).toEqual(rangeOf(text, 22, '}').end);
  });

  it('__section("from-container"): iproute2-style name, type from the context argument', async () => {
    const p = program(await analyzeFixture('sections.bpf.c', opts), 'from_container');
    expect(p).toMatchObject({ section: 'from-container', sectionMacro: '__section', type: 'sched_cls', typeFrom: 'context', attach: null, hook: null });
    expect(p.sectionRange).toEqual(rangeOf(text, 37, '"from-container"'));
    expect(line(p.nameRange)).toBe(38);
    expect(p.context).toBe('struct __sk_buff *skb');
  });

  it('__attribute__((section("…"))) before and inside the declaration', async () => {
    const a = await analyzeFixture('sections.bpf.c', opts);
    expect(program(a, 'attr_before')).toMatchObject({ section: 'xdp', sectionMacro: '__attribute__', type: 'xdp' });
    expect(program(a, 'attr_inside')).toMatchObject({ section: 'tc/egress', hook: 'tc-egress' });
    expect(program(a, 'attr_inside').sectionRange).toEqual(rangeOf(text, 45, '"tc/egress"'));
  });

  it("Cilium's __section_entry: object-like macro, string built from another macro", async () => {
    const p = program(await analyzeFixture('sections.bpf.c', opts), 'cil_entry');
    expect(p).toMatchObject({ section: 'tc/entry', sectionKnown: true, sectionMacro: '__section_entry', type: 'sched_cls' });
    expect(p.sectionRange).toEqual(rangeOf(text, 47, '__section_entry'));
  });

  it('macros defined in the file and given as options', async () => {
    const a = await analyzeFixture('sections.bpf.c', opts);
    expect(program(a, 'via_fn_macro')).toMatchObject({ section: 'tcx/egress', sectionMacro: 'MY_SEC', hook: 'tcx-egress' });
    expect(program(a, 'via_obj_macro')).toMatchObject({ section: 'tcx/ingress', sectionMacro: 'INGRESS_SEC', hook: 'tcx-ingress' });
    expect(line(program(a, 'via_obj_macro').nameRange)).toBe(57);
    expect(program(a, 'via_option')).toMatchObject({ section: 'xdp', sectionMacro: 'OPT_SEC', type: 'xdp' });
    expect(program(a, 'via_option_object')).toMatchObject({ section: 'tc/ingress', sectionMacro: '__custom_entry', hook: 'tc-ingress' });
  });

  it('without the options, those two are not programs', async () => {
    const names = (await analyzeFixture('sections.bpf.c')).programs.map((p) => p.name);
    expect(names).not.toContain('via_option');
    expect(names).not.toContain('via_option_object');
    expect(names).toContain('via_obj_macro');
  });

  it('an unresolvable section macro keeps its text', async () => {
    const a = await analyzeFixture('cilium/bpf_lxc.c'); // no header given: __section_entry is unknown
    const p = program(a, 'cil_from_container');
    expect(p).toMatchObject({ section: '__section_entry', sectionKnown: false, type: 'other', typeFrom: 'none', attach: null });
  });
});
