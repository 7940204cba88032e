// Helpers and verdicts that belong to the other program type.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, line, program, rangeOf, readFixture } from './setup';

const text = readFixture('program-types.bpf.c');
const analyze = () => analyzeFixture('program-types.bpf.c');

describe('helper-not-allowed', () => {
  it('skb helpers in XDP, XDP helpers in tc, bpf_redirect_map at tc', async () => {
    const d = (await analyze()).diagnostics.filter((x) => x.code === 'helper-not-allowed');
    expect(d.map((x) => [x.severity, x.range])).toEqual([
      ['error', rangeOf(text, 23, 'bpf_redirect_peer(3, 0)')],
      ['error', rangeOf(text, 29, 'bpf_skb_store_bytes(ctx, 0, 0, 6, 0)')],
      ['error', rangeOf(text, 36, 'bpf_xdp_adjust_head(skb, 0)')],
      ['error', rangeOf(text, 92, 'bpf_redirect_map(&tx_port, 0, 0)')],
    ]);
    expect(d[0].message).toBe('The verifier refuses to load xdp_peer: "program of this type cannot use helper bpf_redirect_peer". XDP runs before any sk_buff exists, so xdp_func_proto does not offer bpf_redirect_peer(); in XDP use bpf_redirect() or bpf_redirect_map() (the target transmits via ndo_xdp_xmit), or move this to a tc ingress program.');
    expect(d[1].message).toContain('use bpf_xdp_store_bytes()');
  });
});

describe('return-code-mismatch', () => {
  it('at the returned name, with the meaning the kernel gives the number', async () => {
    const d = (await analyze()).diagnostics.filter((x) => x.code === 'return-code-mismatch');
    expect(d.map((x) => [x.range, x.fix?.text ?? null])).toEqual([
      [rangeOf(text, 43, 'XDP_PASS'), 'TC_ACT_OK'],
      [rangeOf(text, 49, 'TCX_PASS'), 'XDP_PASS'],
      [rangeOf(text, 55, 'MY_PASS'), null], // through a #define: no mechanical fix
      [rangeOf(text, 17, 'TC_ACT_OK'), 'XDP_PASS'], // inside the inline function that returns it
    ]);
    expect(d[0].message).toBe('XDP_PASS is an XDP verdict, but tc_returns_xdp is a tc program (section "tc"): the kernel reads 2 as TC_ACT_SHOT, so the packet is dropped. Return TC_ACT_OK.');
    expect(d[1].message).toContain('reads 0 as XDP_ABORTED');
  });

  it('XDP program verdicts are kept with their names', async () => {
    const p = program(await analyze(), 'xdp_store');
    expect(p.verdicts).toEqual([{ value: 2, name: 'XDP_PASS' }]);
  });
});

describe('XDP redirects', () => {
  it('bpf_redirect in XDP is xdp-egress; flags must be 0', async () => {
    const a = await analyze();
    expect(program(a, 'xdp_redirect_ok').redirects[0]).toMatchObject({ kind: 'xdp-egress', flagsLegal: true });
  });

  it('bpf_redirect_map: bad flags, and a forgotten verdict', async () => {
    const a = await analyze();
    expect(program(a, 'xdp_map_bad').redirects[0]).toMatchObject({ flagsLegal: false });
    const bad = a.diagnostics.find((x) => x.code === 'redirect-bad-flags');
    expect(bad?.range).toEqual(rangeOf(text, 73, '64'));
    const forgot = program(a, 'xdp_forgets').redirects[0];
    expect(forgot).toMatchObject({ resultUsed: false, ignoredBy: { value: 2, name: 'XDP_PASS' } });
    const ignored = a.diagnostics.find((x) => x.code === 'redirect-result-ignored');
    expect(line(ignored!.range)).toBe(85);
    expect(ignored!.message).toContain('xdp_do_redirect acts on it only when the program returns XDP_REDIRECT');
  });

  it('exactly these diagnostics', async () => {
    expect((await analyze()).diagnostics.map((d) => [d.code, line(d.range)])).toEqual([
      ['helper-not-allowed', 23],
      ['helper-not-allowed', 29],
      ['helper-not-allowed', 36],
      ['return-code-mismatch', 43],
      ['return-code-mismatch', 49],
      ['return-code-mismatch', 55],
      ['return-code-mismatch', 17],
      ['redirect-bad-flags', 73],
      ['redirect-result-ignored', 85],
      ['helper-not-allowed', 92],
    ]);
  });
});
