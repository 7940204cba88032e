// tc / ip / bpftool / xdp-loader commands in shell scripts, Makefiles, YAML, Dockerfiles
// and justfiles. Lines are 0-based; each fixture lists every evidence it must give, so an
// extra match (a comment, an echo, a detach) fails as surely as a missing one.
import { describe, expect, it } from 'vitest';
import { parentDirection } from '../../server/src/inference/loaders/shell';
import { brief, scanFixture, scanText } from './helpers';

describe('shell scripts', () => {
  it('setup-lab.sh: continuations, sudo, variables, netns, $(...), sh -c; no comment/echo/clsact/xdp off', () => {
    expect(scanFixture('shell/scripts/setup-lab.sh').map(brief)).toEqual([
      { lines: [15, 17], hook: 'tc-ingress', dev: 'lxc0', object: 'bpf_lxc.o', section: 'from-container' },
      { lines: [18, 19], hook: 'tc-egress', dev: 'lxc0', object: 'bpf_lxc.o', section: 'to-container' },
      // PEER_DEV=$1: the device is not literal
      { lines: [22, 22], hook: 'tc-egress', object: 'pod_egress.o' },
      { lines: [23, 23], hook: 'xdp-generic', dev: 'eth0', object: 'xdp_pass.o', section: 'xdp' },
      // `parent ffff:` is the classic ingress qdisc
      { lines: [26, 26], hook: 'tc-ingress', dev: 'lxc1', object: 'classic_ingress.o' },
      // a classful root qdisc (`parent 1:`) only sees transmitted packets
      { lines: [27, 27], hook: 'tc-egress', dev: 'eth0', object: 'shaper_root.o', section: 'classifier' },
    ]);
  });

  it('gives the whole command as detail and its range from sudo to the last word', () => {
    const [first] = scanFixture('shell/scripts/setup-lab.sh');
    expect(first.detail).toBe('tc filter add dev $DEV ingress prio 1 handle 1 bpf da obj $OBJ sec from-container');
    expect(first.range).toEqual({ start: { line: 15, character: 0 }, end: { line: 17, character: 37 } });
    expect(first.mechanism).toBe('tc');
  });

  it('bpftool-attach.sh: pins from prog load/loadall, name, xdpgeneric, xdp-loader; not id or detach', () => {
    expect(scanFixture('shell/scripts/bpftool-attach.sh').map(brief)).toEqual([
      // loadall pins every program under its name in the directory
      { lines: [6, 6], hook: 'tcx-ingress', dev: 'veth0', progCandidates: ['handle_ingress'], object: 'tcx_prog.bpf.o' },
      { lines: [7, 8], hook: 'tcx-egress', dev: 'veth0', prog: 'handle_egress' },
      // prog load pins under a chosen name: the object is known, the pin name is not a program name
      { lines: [9, 9], hook: 'xdp-generic', dev: 'veth1', object: 'xdp_fw.bpf.o' },
      { lines: [12, 12], hook: 'xdp-generic', dev: 'veth3', object: 'xdp_prog_kern.o', section: 'xdp' },
      { lines: [13, 13], hook: 'xdp', dev: 'veth4', object: 'xdp_prog_kern.o' },
    ]);
    expect(scanFixture('shell/scripts/bpftool-attach.sh')[0].mechanism).toBe('tcx');
  });
});

describe('Makefiles, YAML, Dockerfiles, justfiles', () => {
  it('xdp-tutorial Makefile: $(DEV) ?= resolves, $(Q)$(TC), -prefix; `xdpgeneric off` is not evidence', () => {
    expect(scanFixture('shell/xdp-tutorial/Makefile').map(brief)).toEqual([
      { lines: [12, 12], hook: 'xdp-generic', dev: 'veth-basic02', object: 'xdp_prog_kern.o', section: 'xdp' },
      { lines: [16, 17], hook: 'tc-ingress', dev: 'veth-basic02', object: 'tc_prog.o', section: 'tc' },
      // $(IFACE) is never set in the Makefile
      { lines: [18, 18], hook: 'tc-egress', object: 'tc_prog.o', section: 'tc' },
    ]);
  });

  it('Kubernetes DaemonSet: exec-form list with $(IFACE) from env, block scalar, sh -c string, quoted args', () => {
    expect(scanFixture('shell/deploy/daemonset.yaml').map(brief)).toEqual([
      { lines: [14, 14], hook: 'tc-ingress', dev: 'eth0', object: 'agent.bpf.o', section: 'tc/ingress' },
      { lines: [21, 22], hook: 'tc-egress', dev: 'eth0', object: 'agent.bpf.o', section: 'tc/egress' },
      { lines: [25, 25], hook: 'xdp', dev: 'eth0', object: 'agent.bpf.o', section: 'xdp' },
      { lines: [26, 26], hook: 'xdp', dev: 'eth1', prog: 'xdp_entry' },
    ]);
  });

  it('keeps exact columns inside YAML strings', () => {
    const evs = scanFixture('shell/deploy/daemonset.yaml');
    // "ip link set ..." starts after `command: ["sh", "-c", "`
    expect(evs[2].range.start).toEqual({ line: 25, character: 33 });
    expect(evs[2].range.end).toEqual({ line: 25, character: 86 });
  });

  it('GitHub workflow: one-line run, run: | block, env block variable, ${{ }} not literal', () => {
    expect(scanFixture('shell/.github/workflows/ci.yml').map(brief)).toEqual([
      { lines: [10, 10], hook: 'tc-ingress', dev: 'veth-ci', object: 'ci_prog.o', section: 'tc' },
      { lines: [14, 14], hook: 'tc-egress', object: 'ci_prog.o', section: 'tc' },
    ]);
  });

  it('Dockerfile: RUN with continuation and ENV, exec-form ENTRYPOINT', () => {
    expect(scanFixture('shell/Dockerfile').map(brief)).toEqual([
      { lines: [5, 5], hook: 'tc-ingress', dev: 'eth0', object: 'edge.bpf.o', section: 'tc' },
      { lines: [6, 6], hook: 'xdp', dev: 'eth0', object: 'edge.bpf.o', section: 'xdp' },
    ]);
    expect(scanFixture('shell/Dockerfile')[1].detail).toBe('ip link set dev eth0 xdpdrv obj /opt/edge.bpf.o sec xdp');
  });

  it('justfile: {{dev}} from `dev := "..."`', () => {
    expect(scanFixture('shell/justfile').map(brief)).toEqual([
      { lines: [3, 3], hook: 'tc-egress', dev: 'veth-just', object: 'just_prog.o', section: 'tc' },
    ]);
  });
});

describe('command forms', () => {
  const one = (cmd: string) => scanText('x.sh', cmd);

  it.each([
    ['tc f a dev eth0 ingress bpf obj a.o', 'tc-ingress'],
    ['tc -n pod filter add dev eth0 egress bpf da obj a.o sec tc', 'tc-egress'],
    ['/usr/sbin/tc filter replace dev eth0 parent FFFF:FFF2 bpf da obj a.o', 'tc-ingress'],
    ['tc filter change dev eth0 root bpf obj a.o', 'tc-egress'],
    ['tc filter add dev eth0 ingress protocol all pref 10 chain 0 bpf da object-file a.o section tc', 'tc-ingress'],
    ['tc filter add dev eth0 ingress matchall action bpf obj a.o sec action', 'tc-ingress'],
    ['tc filter add dev eth0 egress bpf da pinned /sys/fs/bpf/tc/globals/a', 'tc-egress'],
    ['ip link set eth0 xdp obj a.o sec xdp', 'xdp'],
    ['ip -force link set dev eth0 xdpdrv obj a.o', 'xdp'],
    ['ip link set dev eth0 mtu 1500 xdpoffload object a.o', 'xdp'],
    ['ip l s dev eth0 xdpgeneric obj a.o', 'xdp-generic'],
    ['sudo -E ip netns exec ns1 tc filter add dev eth0 ingress bpf obj a.o', 'tc-ingress'],
    ['nsenter --net=/run/netns/ns1 tc filter add dev eth0 egress bpf obj a.o', 'tc-egress'],
    ['docker exec -it agent tc filter add dev eth0 egress bpf obj a.o', 'tc-egress'],
    ['kubectl exec -n kube-system ds/agent -- tc filter add dev eth0 ingress bpf obj a.o', 'tc-ingress'],
    ['bpftool -d net attach xdpdrv name xdp_main dev eth0', 'xdp'],
    ['if tc filter add dev eth0 ingress bpf obj a.o 2>/dev/null; then :; fi', 'tc-ingress'],
    ['tc qdisc add dev eth0 clsact && tc filter add dev eth0 egress bpf obj a.o || exit 1', 'tc-egress'],
  ])('%s → %s', (cmd, hook) => {
    const evs = one(cmd);
    expect(evs).toHaveLength(1);
    expect(evs[0].hook).toBe(hook);
    expect(evs[0].dev).toBe('eth0');
  });

  it.each([
    'tc qdisc add dev eth0 clsact',
    'tc filter del dev eth0 ingress',
    'tc filter show dev eth0 ingress',
    'tc filter add dev eth0 ingress u32 match u32 0 0 action drop',
    'tc filter add block 10 bpf obj a.o', // a shared block: no device, no direction
    'tc filter add dev eth0 bpf obj a.o', // no parent given
    "tc filter add dev eth0 ingress bpf bytecode '1,6 0 0 0'", // classic BPF: nothing names a program
    'ip link set dev eth0 xdp off',
    'ip link set dev eth0 xdpgeneric off',
    'ip link set dev eth0 up',
    'bpftool net attach xdp id 7 dev eth0', // an id names no source
    'bpftool net detach tcx_ingress dev eth0',
    'bpftool prog loadall a.o /sys/fs/bpf/a autoattach',
    'echo tc filter add dev eth0 ingress bpf obj a.o',
    'printf "%s\\n" tc filter add dev eth0 ingress bpf obj a.o',
    '# tc filter add dev eth0 ingress bpf obj a.o',
    'command -v tc',
    'xdp-loader unload eth0 --all',
  ])('not evidence: %s', (cmd) => {
    expect(one(cmd)).toEqual([]);
  });

  it('joins continuations and keeps 0-based lines', () => {
    const text = 'set -e\n\n  tc filter add \\\n     dev veth0 \\\n     ingress bpf da obj a.o\n';
    expect(one(text)).toEqual([{ lines: [2, 4], hook: 'tc-ingress', dev: 'veth0', object: 'a.o' }]);
  });

  it('reads CRLF files', () => {
    const text = 'DEV=eth0\r\ntc filter add dev $DEV \\\r\n  egress bpf obj a.o sec tc\r\n';
    expect(one(text)).toEqual([{ lines: [1, 2], hook: 'tc-egress', dev: 'eth0', object: 'a.o', section: 'tc' }]);
  });

  it('resolves a variable only when it always holds the same literal', () => {
    expect(one('D=eth0\ntc filter add dev $D ingress bpf obj a.o')[0].dev).toBe('eth0');
    expect(one('D="eth1"\ntc filter add dev "${D}" ingress bpf obj a.o')[0].dev).toBe('eth1');
    expect(one('D=eth0\nD=eth1\ntc filter add dev $D ingress bpf obj a.o')[0].dev).toBeUndefined();
    expect(one('for D in a b; do tc filter add dev $D ingress bpf obj a.o; done')[0].dev).toBeUndefined();
    expect(one('D=$(cat /tmp/ifname)\ntc filter add dev $D ingress bpf obj a.o')[0].dev).toBeUndefined();
  });

  it('reads a heredoc body and commands after redirections', () => {
    const text = 'ip netns exec ns1 bash <<EOF\ntc filter add dev eth0 egress bpf obj a.o > /dev/null\nEOF\n';
    expect(one(text)).toEqual([{ lines: [1, 1], hook: 'tc-egress', dev: 'eth0', object: 'a.o' }]);
  });

  it('a pinned tc filter names the program by its pin', () => {
    expect(one('tc filter add dev eth0 egress bpf da pinned /sys/fs/bpf/tc/globals/to-container')).toEqual([
      { lines: [0, 0], hook: 'tc-egress', dev: 'eth0', progCandidates: ['to-container', 'to_container'] },
    ]);
  });

  it('xdp-loader: one evidence per object, program name option', () => {
    expect(one('xdp-loader load -m skb -n xdp_pass_func veth0 a.o b.o')).toEqual([
      { lines: [0, 0], hook: 'xdp-generic', dev: 'veth0', prog: 'xdp_pass_func', object: 'a.o' },
      { lines: [0, 0], hook: 'xdp-generic', dev: 'veth0', prog: 'xdp_pass_func', object: 'b.o' },
    ]);
  });
});

describe('parentDirection: tc handles', () => {
  it.each([
    ['ffff:fff2', 'ingress'],
    ['FFFF:FFF3', 'egress'],
    ['ffff:', 'ingress'],
    ['ffff:0', 'ingress'],
    ['0xfffffff2', 'ingress'],
    ['0xFFFFFFF3', 'egress'],
    ['1:', 'egress'],
    ['1:10', 'egress'],
    ['root', 'egress'],
    ['ffff:fff1', undefined],
    ['0:0', undefined],
    ['bogus', undefined],
  ])('%s → %s', (h, want) => {
    expect(parentDirection(h)).toBe(want);
  });
});
