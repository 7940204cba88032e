// The acceptance cases the CLI is checked against (../shared/acceptance/cases).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeC } from '../../server/src/ebpf/analyze';
import { ACCEPTANCE, line, parser, program, rangeOf } from './setup';

const read = (f: string) => fs.readFileSync(path.join(ACCEPTANCE, f), 'utf8');

describe('acceptance lxc.bpf.c', () => {
  const text = read('lxc.bpf.c');
  const analyze = async () => analyzeC(await parser(), 'lxc.bpf.c', text);

  it('finds the five tc programs, in order, and no map or license', async () => {
    const a = await analyze();
    expect(a.programs.map((p) => p.name)).toEqual(['to_pod_peer', 'to_pod_xmit', 'to_pod_wrong_way', 'to_pod_forgetful', 'to_pod_xmit_l2']);
    for (const p of a.programs) {
      expect(p.section).toBe('tc');
      expect(p.type).toBe('sched_cls');
      expect(p.attach).toBeNull();
      expect(p.role).toBeNull();
    }
    expect(a.includes).toEqual([]);
  });

  it('to_pod_peer: a peer redirect with flags 0, its verdict returned', async () => {
    const p = program(await analyze(), 'to_pod_peer');
    expect(line(p.range)).toBe(24);
    expect(p.nameRange).toEqual(rangeOf(text, 24, 'to_pod_peer'));
    expect(p.sectionRange).toEqual(rangeOf(text, 23, '"tc"'));
    expect(p.redirects).toHaveLength(1);
    const r = p.redirects[0];
    expect(r).toMatchObject({ helper: 'bpf_redirect_peer', kind: 'peer', flagsLegal: true, resultUsed: true, l2Rewritten: false });
    expect(r.range).toEqual(rangeOf(text, 29, 'bpf_redirect_peer(ifindex, 0)'));
    expect(r.ifindex).toMatchObject({ text: 'ifindex', value: null });
    expect(r.flags).toMatchObject({ text: '0', value: 0 });
    // lookup_ifindex is inlined: its helpers are the program's, at the call site.
    const load = p.helpers.find((h) => h.helper === 'bpf_skb_load_bytes');
    expect(load?.via.map((v) => v.name)).toEqual(['lookup_ifindex']);
    expect(line(load!.range)).toBe(26);
    expect(line(load!.at.range)).toBe(16);
    expect(p.returns.map((x) => x.values.map((v) => v.kind))).toEqual([['const'], ['redirect']]);
    expect(p.verdicts).toEqual([{ value: 0, name: 'TC_ACT_OK' }]);
  });

  it('to_pod_xmit: egress, frame not readdressed', async () => {
    const r = program(await analyze(), 'to_pod_xmit').redirects[0];
    expect(r).toMatchObject({ helper: 'bpf_redirect', kind: 'egress', kindCertain: true, resultUsed: true, l2Rewritten: false, l2RewriteAt: null });
    expect(line(r.range)).toBe(39);
  });

  it('to_pod_wrong_way: BPF_F_INGRESS resolved to 1, kind ingress', async () => {
    const r = program(await analyze(), 'to_pod_wrong_way').redirects[0];
    expect(r.kind).toBe('ingress');
    expect(r.flags).toMatchObject({ text: 'BPF_F_INGRESS', value: 1, names: ['BPF_F_INGRESS'] });
    expect(r.flagsLegal).toBe(true);
    expect(line(r.range)).toBe(49);
  });

  it('to_pod_forgetful: the verdict is dropped and TC_ACT_OK on line 59 is returned instead', async () => {
    const a = await analyze();
    const r = program(a, 'to_pod_forgetful').redirects[0];
    expect(r.resultUsed).toBe(false);
    expect(line(r.range)).toBe(58);
    expect(r.ignoredBy).toEqual({ range: rangeOf(text, 59, 'return TC_ACT_OK;'), value: 0, name: 'TC_ACT_OK' });
    const d = a.diagnostics.filter((x) => x.code === 'redirect-result-ignored');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ file: 'lxc.bpf.c', severity: 'warning', range: rangeOf(text, 58, 'bpf_redirect(ifindex, 0)') });
    expect(d[0].message).toContain('no redirect happens');
    expect(d[0].message).toContain('TC_ACT_OK (line 59)');
    expect(d[0].fix).toEqual({ title: "Return the redirect helper's verdict", range: rangeOf(text, 58, 'bpf_redirect(ifindex, 0)'), text: 'return bpf_redirect(ifindex, 0)' });
  });

  it('to_pod_xmit_l2: h_dest written by bpf_skb_store_bytes at offset 0 before the redirect', async () => {
    const r = program(await analyze(), 'to_pod_xmit_l2').redirects[0];
    expect(r.l2Rewritten).toBe(true);
    expect(line(r.l2RewriteAt!.range)).toBe(80);
    expect(r.kind).toBe('egress');
  });

  it('raises no other diagnostic', async () => {
    expect((await analyze()).diagnostics.map((d) => d.code)).toEqual(['redirect-result-ignored']);
  });
});

describe('acceptance sections.bpf.c', () => {
  const text = read('sections.bpf.c');
  const analyze = async () => analyzeC(await parser(), 'sections.bpf.c', text);

  it('classifies each section', async () => {
    const a = await analyze();
    const shape = a.programs.map((p) => [p.name, p.section, p.type, p.attach, p.hook, p.role]);
    expect(shape).toEqual([
      ['count_ingress', 'tc/ingress', 'sched_cls', 'tc-ingress', 'tc-ingress', 'ingress'],
      ['count_egress', 'tcx/egress', 'sched_cls', 'tcx-egress', 'tcx-egress', 'egress'],
      ['drop_nothing', 'xdp', 'xdp', 'xdp', 'xdp', 'ingress'],
      ['who_knows', 'classifier', 'sched_cls', null, null, null],
      ['xdp_bad_flags', 'xdp', 'xdp', 'xdp', 'xdp', 'ingress'],
      ['xdp_wrong_code', 'xdp', 'xdp', 'xdp', 'xdp', 'ingress'],
      ['peer_from_egress', 'tc/egress', 'sched_cls', 'tc-egress', 'tc-egress', 'egress'],
    ]);
  });

  it('xdp_bad_flags: redirect-bad-flags on line 33, at BPF_F_INGRESS', async () => {
    const a = await analyze();
    const r = program(a, 'xdp_bad_flags').redirects[0];
    expect(r).toMatchObject({ kind: 'xdp-egress', flagsLegal: false });
    expect(r.ifindex).toMatchObject({ text: '3', value: 3 });
    const d = a.diagnostics.find((x) => x.code === 'redirect-bad-flags');
    expect(d).toMatchObject({ severity: 'error', range: rangeOf(text, 33, 'BPF_F_INGRESS') });
    expect(d!.message).toContain('XDP_ABORTED');
  });

  it('xdp_wrong_code: return-code-mismatch on line 39, at TC_ACT_OK, with a fix', async () => {
    const a = await analyze();
    const d = a.diagnostics.filter((x) => x.code === 'return-code-mismatch');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: 'warning', range: rangeOf(text, 39, 'TC_ACT_OK') });
    expect(d[0].message).toContain('XDP_ABORTED');
    expect(d[0].fix?.text).toBe('XDP_PASS');
  });

  it('peer_from_egress: the data the lead needs for redirect-peer-not-ingress', async () => {
    const p = program(await analyze(), 'peer_from_egress');
    expect(p.hook).toBe('tc-egress');
    expect(p.redirects[0]).toMatchObject({ helper: 'bpf_redirect_peer', kind: 'peer', flagsLegal: true });
    expect(line(p.redirects[0].range)).toBe(45);
  });

  it('reports only the intrinsic diagnostics', async () => {
    expect((await analyze()).diagnostics.map((d) => [d.code, line(d.range)])).toEqual([
      ['redirect-bad-flags', 33],
      ['return-code-mismatch', 39],
    ]);
  });
});
