// libbpf / libxdp loaders in C: each attach call paired with the hook and program it passes.
import { describe, expect, it } from 'vitest';
import { brief, scanFixture, scanText } from './helpers';

describe('bpf_tc_attach', () => {
  it('libbpf-bootstrap tc.c: DECLARE_LIBBPF_OPTS hook, prog_fd assigned later; comments ignored', () => {
    // The comment mentions "egress filter": it must not count.
    expect(scanFixture('libbpf/tc.c').map(brief)).toEqual([
      // .ifindex = LO_IFINDEX (1): a number, no device name
      { lines: [29, 29], hook: 'tc-ingress', prog: 'tc_ingress', object: 'tc_bpf' },
    ]);
  });

  it('lxc_loader.c: several hooks, reassigned attach_point, variables, compound literal, late assignment, helper', () => {
    expect(scanFixture('libbpf/lxc_loader.c').map(brief)).toEqual([
      // attach_both(): BPF_TC_INGRESS | BPF_TC_EGRESS gives two; prog and ifindex come from its one caller
      { lines: [13, 13], hook: 'tc-ingress', dev: 'lxc0', prog: 'mirror', object: 'lxc_bpf' },
      { lines: [13, 13], hook: 'tc-egress', dev: 'lxc0', prog: 'mirror', object: 'lxc_bpf' },
      // prog = obj->progs.from_container; fd = bpf_program__fd(prog); opts.prog_fd = fd
      { lines: [31, 31], hook: 'tc-ingress', dev: 'lxc0', prog: 'from_container', object: 'lxc_bpf' },
      // the same hook variable, attach_point reassigned before the second call
      { lines: [37, 37], hook: 'tc-egress', dev: 'lxc0', prog: 'to_container', object: 'lxc_bpf' },
      { lines: [42, 44], hook: 'tc-egress', dev: 'eth0', prog: 'policy_egress', object: 'lxc_bpf' },
      // late.attach_point is set after the call: still that hook's only attach point
      { lines: [50, 50], hook: 'tc-ingress', dev: 'lxc0', prog: 'late_ingress', object: 'lxc_bpf' },
      // `cond ? BPF_TC_INGRESS : BPF_TC_EGRESS` (line 54) is not evidence
    ]);
  });

  it('range covers the call from its name to the closing parenthesis', () => {
    const ev = scanFixture('libbpf/lxc_loader.c').find((e) => e.prog === 'policy_egress');
    expect(ev?.range).toEqual({ start: { line: 42, character: 1 }, end: { line: 44, character: 47 } });
    expect(ev?.mechanism).toBe('tc');
    expect(ev?.detail.startsWith('bpf_tc_attach(&(struct bpf_tc_hook){ .sz = sizeof(struct bpf_tc_hook), .ifindex')).toBe(true);
  });

  it('opts as a compound literal, hook attach point from a macro', () => {
    const text = [
      '#define POINT BPF_TC_EGRESS',
      'int main(void) {',
      '  struct cls_bpf *skel = cls_bpf__open_and_load();',
      '  DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = if_nametoindex("eth9"), .attach_point = POINT);',
      '  return bpf_tc_attach(&h, &(struct bpf_tc_opts){ .sz = sizeof(struct bpf_tc_opts),',
      '                                                  .prog_fd = bpf_program__fd(skel->progs.cls_main) });',
      '}',
    ].join('\n');
    expect(scanText('cls.c', text)).toEqual([{ lines: [4, 5], hook: 'tc-egress', dev: 'eth9', prog: 'cls_main', object: 'cls_bpf' }]);
  });

  it('a hook declared in another function is another variable', () => {
    const text = [
      'void a(struct x_bpf *skel) {',
      '  struct bpf_tc_hook hook = { .attach_point = BPF_TC_EGRESS };',
      '}',
      'int main(void) {',
      '  struct x_bpf *skel = x_bpf__open_and_load();',
      '  struct bpf_tc_hook hook = { .ifindex = 1 };',
      '  LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd = bpf_program__fd(skel->progs.p));',
      '  return bpf_tc_attach(&hook, &o);',
      '}',
    ].join('\n');
    // main's hook has no attach point: no evidence (not a's BPF_TC_EGRESS)
    expect(scanText('loader.c', text)).toEqual([]);
  });

  it('a global hook configured in one function and attached in another', () => {
    const text = [
      'static struct bpf_tc_hook g_hook = { .sz = sizeof(g_hook) };',
      'static void setup(void) { g_hook.attach_point = BPF_TC_EGRESS; g_hook.ifindex = if_nametoindex("eth3"); }',
      'int run(struct bpf_object *obj) {',
      '  struct bpf_program *p = bpf_object__find_program_by_name(obj, "egress_prog");',
      '  DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd = bpf_program__fd(p));',
      '  return bpf_tc_attach(&g_hook, &o);',
      '}',
    ].join('\n');
    expect(scanText('loader.c', text)).toEqual([{ lines: [5, 5], hook: 'tc-egress', dev: 'eth3', prog: 'egress_prog' }]);
  });
});

describe('tcx, netkit, link and XDP attach calls', () => {
  it('object_loader.c: attach_tcx only with an expected attach type; bpf_prog_attach; bpf_link_create netkit', () => {
    expect(scanFixture('libbpf/object_loader.c').map(brief)).toEqual([
      { lines: [20, 20], hook: 'tcx-ingress', dev: 'veth1', prog: 'tcx_in', object: 'tcx_prog.bpf.o' },
      // bpf_program__attach_tcx(plain, ...) on line 22: the section decides, not evidence
      { lines: [24, 24], hook: 'tcx-egress', dev: 'veth1', prog: 'tcx_out', object: 'tcx_prog.bpf.o' },
      { lines: [25, 26], hook: 'netkit-primary', dev: 'nk0', prog: 'nk_primary', object: 'tcx_prog.bpf.o' },
    ]);
    const [tcx, , netkit] = scanFixture('libbpf/object_loader.c');
    expect(tcx.mechanism).toBe('tcx');
    expect(netkit.mechanism).toBe('netkit');
  });

  it('xdp_user.c: SKB mode only when sure, attach_xdp, libxdp, and a tc command in system()', () => {
    expect(scanFixture('libbpf/xdp_user.c').map(brief)).toEqual([
      // cfg.xdp_flags gets SKB or DRV mode from the command line: native, not generic
      { lines: [35, 35], hook: 'xdp', prog: 'xdp_fw', object: 'xdp_fw_bpf' },
      { lines: [36, 36], hook: 'xdp-generic', dev: 'eth1', prog: 'xdp_sampler', object: 'xdp_fw_bpf' },
      { lines: [37, 37], hook: 'xdp', dev: 'eth1', prog: 'xdp_link_mode', object: 'xdp_fw_bpf' },
      { lines: [40, 40], hook: 'xdp-generic', dev: 'veth-basic02', object: 'xdp_prog_kern.o', section: 'xdp_pass' },
      // adjacent literals "..." "..." are one string, as in C
      { lines: [42, 42], hook: 'tc-egress', dev: 'eth1', object: 'xdp_fw_tc.o', section: 'tc' },
    ]);
  });

  it('bpf_link_create(BPF_XDP) with SKB mode in its opts; bpf_prog_attach with a macro attach type', () => {
    const text = [
      '#define DIR BPF_TCX_INGRESS',
      'int main(void) {',
      '  struct bpf_object *obj = bpf_object__open_file("/usr/lib/bpf/fw.o", NULL);',
      '  int fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "fw_xdp"));',
      '  LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_SKB_MODE);',
      '  bpf_link_create(fd, if_nametoindex("wan0"), BPF_XDP, &lo);',
      '  bpf_prog_attach(fd, 4, DIR, 0);',
      '}',
    ].join('\n');
    expect(scanText('fw.c', text)).toEqual([
      { lines: [5, 5], hook: 'xdp-generic', dev: 'wan0', prog: 'fw_xdp', object: 'fw.o' },
      { lines: [6, 6], hook: 'tcx-ingress', prog: 'fw_xdp', object: 'fw.o' },
    ]);
  });

  it('bpf_object__find_program_by_title names a section', () => {
    const text = 'int f(struct bpf_object *o){ bpf_prog_attach(bpf_program__fd(bpf_object__find_program_by_title(o, "tc/egress")), 3, BPF_TCX_EGRESS, 0); }';
    expect(scanText('t.c', text)).toEqual([{ lines: [0, 0], hook: 'tcx-egress', section: 'tc/egress' }]);
  });
});

describe('not loaders', () => {
  it('a .c file with SEC("...") is an eBPF program', () => {
    expect(scanFixture('libbpf/prog_with_sec.c')).toEqual([]);
  });

  it('prototypes and commented-out calls are not attaches', () => {
    const text = [
      'LIBBPF_API int bpf_tc_attach(const struct bpf_tc_hook *hook, struct bpf_tc_opts *opts);',
      '// bpf_tc_attach(&(struct bpf_tc_hook){ .attach_point = BPF_TC_INGRESS }, &o);',
      '/* bpf_prog_attach(fd, 1, BPF_TCX_INGRESS, 0); */',
    ].join('\n');
    expect(scanText('api.c', text)).toEqual([]);
  });
});
