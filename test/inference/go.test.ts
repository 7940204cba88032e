// Go loaders: cilium/ebpf link attach options, vishvananda/netlink filters, exec.Command,
// and bpf2go's C → Go name mapping read backwards.
import { describe, expect, it } from 'vitest';
import { bpf2goIdentifier, cNameCandidates, evidenceMatchesProgram } from '../../server/src/inference/loaders/index';
import { brief, scanFixture, scanText } from './helpers';

describe('cilium/ebpf link attach', () => {
  const evs = scanFixture('go/main.go');

  it('main.go: AttachTCX (literal and options variable), AttachXDP generic, AttachNetkit', () => {
    expect(evs.map(brief)).toEqual([
      { lines: [30, 34], hook: 'tcx-ingress', dev: 'lxc0', progCandidates: ['from_container', 'fromContainer', 'FromContainer'], object: 'lxc.bpf.c' },
      // opts built first, Interface set afterwards
      { lines: [45, 45], hook: 'tcx-egress', dev: 'lxc0', progCandidates: ['handle_egress_v4', 'handleEgressV4', 'HandleEgressV4'], object: 'lxc.bpf.c' },
      // the interface name comes from os.Args: unknown
      { lines: [53, 53], hook: 'xdp-generic', progCandidates: ['xdp_prog_func', 'xdpProgFunc', 'XdpProgFunc'], object: 'lxc.bpf.c' },
      { lines: [59, 59], hook: 'netkit-peer', dev: 'lxc0', progCandidates: ['nk_peer', 'nkPeer', 'NkPeer'], object: 'lxc.bpf.c' },
    ]);
    expect(evs.map((e) => e.mechanism)).toEqual(['tcx', 'tcx', 'xdp', 'netkit']);
    expect(evs[0].goName).toBe('FromContainer');
  });

  it('matches the C program through bpf2go naming, in the go:generate source only', () => {
    const src = '/repo/bpf/lxc.bpf.c';
    expect(evidenceMatchesProgram(evs[0], { name: 'from_container', section: 'tc', file: src })).toBe(true);
    expect(evidenceMatchesProgram(evs[0], { name: 'to_container', section: 'tc', file: src })).toBe(false);
    expect(evidenceMatchesProgram(evs[0], { name: 'from_container', section: 'tc', file: '/repo/bpf/other.bpf.c' })).toBe(false);
    // a C name outside the candidates that bpf2go still maps to the same identifier
    expect(evidenceMatchesProgram(evs[0], { name: 'from__container', section: 'tc', file: src })).toBe(true);
  });

  it('options in a variable, fields in any order, attach type through a variable', () => {
    const text = [
      'package main',
      'func attach(objs *bpfObjects, ifindex int) {',
      '\tdir := ebpf.AttachTCXEgress',
      '\tvar o link.TCXOptions',
      '\to.Program = objs.bpfPrograms.ToWorld',
      '\to.Attach = dir',
      '\to.Interface = ifindex',
      '\tlink.AttachTCX(o)',
      '}',
    ].join('\n');
    expect(scanText('attach.go', text)).toEqual([
      { lines: [7, 7], hook: 'tcx-egress', progCandidates: ['to_world', 'toWorld', 'ToWorld'] },
    ]);
  });

  it('no Attach field, or one decided at run time: not evidence', () => {
    const text = [
      'package main',
      'func attach(objs *bpfObjects, ingress bool) {',
      '\tlink.AttachTCX(link.TCXOptions{Program: objs.Prog, Interface: 1})',
      '\tlink.AttachTCX(link.TCXOptions{Program: objs.Prog, Interface: 1, Attach: pick(ingress)})',
      '}',
    ].join('\n');
    expect(scanText('attach.go', text)).toEqual([]);
  });
});

describe('vishvananda/netlink and exec.Command', () => {
  it('netlink.go: BpfFilter parents (HANDLE_MIN_INGRESS, 0xFFFFFFF3, MakeHandle), LinkSetXdpFdWithFlags, exec.Command', () => {
    expect(scanFixture('go/netlink.go').map(brief)).toEqual([
      // the range is the FilterReplace(filter) call that installs the literal
      { lines: [28, 28], hook: 'tc-ingress', dev: 'eth0', prog: 'classic_ingress' },
      { lines: [31, 35], hook: 'tc-egress', dev: 'eth0', prog: 'classic_egress' },
      // never passed to FilterAdd here: the literal itself
      { lines: [38, 42], hook: 'tc-egress', dev: 'eth0', prog: 'made_handle' },
      { lines: [44, 44], hook: 'xdp-generic', dev: 'eth0', prog: 'nl_xdp' },
      { lines: [47, 47], hook: 'tc-egress', dev: 'eth1', object: 'shell_out.o', section: 'tc' },
    ]);
  });
});

describe('bpf2go names', () => {
  it.each([
    ['to_container', 'ToContainer'],
    ['handle_ingress_v4', 'HandleIngressV4'],
    ['xdp_prog_func', 'XdpProgFunc'],
    ['tc_ingress', 'TcIngress'],
    ['XDP_prog', 'XDP_prog'],
    ['prog_2_x', 'Prog2X'],
    ['_start', 'Start'],
    // an underscore after an upper-case letter stays (the first letter is upper-cased first)
    ['a__b', 'A__b'],
    ['ab__cd', 'AbCd'],
    ['cil-from-container', 'Cilfromcontainer'],
  ])('Identifier(%s) = %s', (c, go) => {
    expect(bpf2goIdentifier(c)).toBe(go);
  });

  it.each([
    ['ToContainer', ['to_container', 'toContainer', 'ToContainer']],
    ['HandleIngressV4', ['handle_ingress_v4', 'handleIngressV4', 'HandleIngressV4']],
    // xdp_prog would be XdpProg: only names that map back are candidates
    ['XDPProg', ['xDPProg', 'XDPProg']],
  ])('candidates for %s', (go, want) => {
    expect(cNameCandidates(go as string)).toEqual(want);
    for (const c of want) expect(bpf2goIdentifier(c)).toBe(go);
  });
});
