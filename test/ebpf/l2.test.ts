// Is the frame readdressed (h_dest rewritten) before the redirect?
import { describe, expect, it } from 'vitest';
import { analyzeFixture, line, program } from './setup';

const l2 = async (name: string) => program(await analyzeFixture('l2.bpf.c'), name).redirects[0];

describe('l2Rewritten', () => {
  it.each([
    ['store_at_zero', true, 17],
    ['store_offsetof', true, 24],
    ['store_source_only', false, null],
    ['direct_write', true, 43],
    ['memcpy_dest', true, 51],
    ['memcpy_packet_start', true, 59],
    ['rewrite_after', false, null],
    ['through_wrapper', true, 11], // where set_dmac() writes it
    ['peer_untouched', false, null],
  ])('%s', async (name, rewritten, at) => {
    const r = await l2(name);
    expect(r.l2Rewritten).toBe(rewritten);
    expect(r.l2RewriteAt ? line(r.l2RewriteAt.range) : null).toBe(at);
  });

  it('bpf_redirect_neigh: the kernel fills the L2 header', async () => {
    const r = await l2('neigh');
    expect(r).toMatchObject({ kind: 'neigh', l2Rewritten: true, l2RewriteAt: null });
  });

  it('no diagnostic for any of them', async () => {
    expect((await analyzeFixture('l2.bpf.c')).diagnostics).toEqual([]);
  });
});
