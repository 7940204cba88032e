// Cilium-style code: __section_entry, __ctx_buff, CTX_ACT_*, BPF_FUNC short helper names, ctx_ wrappers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, analyzeFixture, line, program } from './setup';

const header = fs.readFileSync(path.join(FIXTURES, 'cilium/lib/ctx.h'), 'utf8');
const withHeader = () => analyzeFixture('cilium/bpf_lxc.c', { headers: new Map([['cilium/lib/ctx.h', header]]) });

describe('Cilium-style programs with their header', () => {
  it('lists local includes only', async () => {
    expect((await withHeader()).includes).toEqual(['lib/ctx.h']);
  });

  it('__section_entry from the header: section tc/entry', async () => {
    const p = program(await withHeader(), 'cil_from_container');
    expect(p).toMatchObject({ section: 'tc/entry', sectionKnown: true, type: 'sched_cls', typeFrom: 'section' });
  });

  it('ctx_redirect_peer → redirect_peer (BPF_FUNC) → bpf_redirect_peer, inner location in the header', async () => {
    const p = program(await withHeader(), 'cil_from_container');
    expect(p.redirects).toHaveLength(1);
    const r = p.redirects[0];
    expect(r).toMatchObject({ helper: 'bpf_redirect_peer', calledAs: 'redirect_peer', kind: 'peer', flagsLegal: true, resultUsed: true });
    expect(line(r.range)).toBe(22);
    expect(r.at.file).toBe('cilium/lib/ctx.h');
    expect(line(r.at.range)).toBe(28);
    expect(r.via.map((v) => [v.name, v.definition.file])).toEqual([['ctx_redirect_peer', 'cilium/lib/ctx.h']]);
    expect(r.ifindex).toMatchObject({ value: 42, names: ['LXC_PEER_IFINDEX'] });
  });

  it('CTX_ACT_* resolve to tc verdicts with both names kept', async () => {
    const p = program(await withHeader(), 'cil_from_container');
    expect(p.verdicts).toEqual([{ value: 2, name: 'CTX_ACT_DROP' }, { value: 0, name: 'CTX_ACT_OK' }]);
    const drop = p.returns[0].values[0];
    expect(drop.kind === 'const' && drop.chain).toEqual(['CTX_ACT_DROP', 'TC_ACT_SHOT']);
  });

  it('type from __ctx_buff; eth_store_daddr(ctx, mac, 0) readdresses before redirect()', async () => {
    const p = program(await withHeader(), 'cil_from_netdev');
    expect(p).toMatchObject({ section: 'from-netdev', type: 'sched_cls', typeFrom: 'context' });
    const r = p.redirects[0];
    expect(r).toMatchObject({ helper: 'bpf_redirect', calledAs: 'redirect', kind: 'egress', l2Rewritten: true });
    expect(r.l2RewriteAt?.file).toBe('cilium/lib/ctx.h'); // inside eth_store_daddr()
    expect(line(r.l2RewriteAt!.range)).toBe(34);
    expect(p.helpers.map((h) => [h.helper, h.via.map((v) => v.name)])).toEqual([
      ['bpf_skb_store_bytes', ['eth_store_daddr']],
      ['bpf_redirect', []],
    ]);
  });

  it('no diagnostics', async () => {
    expect((await withHeader()).diagnostics).toEqual([]);
  });
});

describe('Cilium-style programs without the header', () => {
  it('still knows ctx_redirect_peer, redirect and eth_store_daddr by name', async () => {
    const a = await analyzeFixture('cilium/bpf_lxc.c');
    const peer = program(a, 'cil_from_container').redirects[0];
    expect(peer).toMatchObject({ helper: 'bpf_redirect_peer', calledAs: 'ctx_redirect_peer', via: [] });
    expect(peer.ifindex.value).toBe(42);
    const netdev = program(a, 'cil_from_netdev');
    expect(netdev.redirects[0]).toMatchObject({ helper: 'bpf_redirect', l2Rewritten: true });
  });
});
