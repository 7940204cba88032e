// The direction a program's name suggests: whole words only, strongest rule first.
import { describe, expect, it } from 'vitest';
import { nameEvidence, nameWords } from '../../server/src/inference/names';

describe('nameEvidence', () => {
  it.each([
    // name, direction, hook
    ['from_container', 'ingress', 'tc-ingress'],
    ['cil_from_container', 'ingress', 'tc-ingress'],
    ['FromContainer', 'ingress', 'tc-ingress'],
    ['from-container', 'ingress', 'tc-ingress'],
    ['to_container', 'egress', 'tc-egress'],
    ['handleToContainer', 'egress', 'tc-egress'],
    ['mark_egress', 'egress', undefined],
    ['count_ingress', 'ingress', undefined],
    ['tcIngress', 'ingress', 'tc-ingress'],
    ['tc_egress', 'egress', 'tc-egress'],
    ['tcx_ingress_v4', 'ingress', 'tcx-ingress'],
    ['INGRESS_FILTER', 'ingress', undefined],
    ['handle_ingress_v4', 'ingress', undefined],
    ['xdp_rx', 'ingress', undefined],
    ['handleRx', 'ingress', undefined],
    ['nic_tx_hook', 'egress', undefined],
    ['rx2', 'ingress', undefined],
    ['filter_in', 'ingress', undefined],
    ['out-path', 'egress', undefined],
    // a stronger rule wins over a weaker one
    ['from_container_out', 'ingress', 'tc-ingress'],
    ['egress_rx', 'egress', undefined],
  ])('%s → %s', (name, direction, hook) => {
    const ev = nameEvidence(name);
    expect(ev?.direction).toBe(direction);
    expect(ev?.hook).toBe(hook);
    expect(ev?.detail).toContain(`"${name}"`);
  });

  it.each([
    'shape', 'mark', 'to_pod_peer', 'drop_nothing', 'who_knows',
    'inbound', 'input', 'outer', 'info', 'index', 'txt', 'ctx_prog', 'xdp_txq',
    // contradicting words say nothing
    'ingress_to_egress', 'rx_tx_counter',
  ])('%s → nothing', (name) => {
    expect(nameEvidence(name)).toBeUndefined();
  });

  it('says what matched', () => {
    expect(nameEvidence('from_container')?.detail).toContain('"from_container"');
    expect(nameEvidence('handleRx')?.detail).toContain('"rx"');
    expect(nameEvidence('filter_in')?.detail).toMatch(/"in".*ingress/);
  });
});

describe('nameWords', () => {
  it.each([
    ['handleIngressV4', ['handle', 'ingress', 'v', '4']],
    ['XDPRx', ['xdp', 'rx']],
    ['cil-from-container', ['cil', 'from', 'container']],
    ['tc_egress2', ['tc', 'egress', '2']],
  ])('%s', (name, words) => {
    expect(nameWords(name as string)).toEqual(words);
  });
});
