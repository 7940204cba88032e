// bcc Python loaders: pyroute2 tc filters and attach_xdp.
import { describe, expect, it } from 'vitest';
import { brief, scanFixture, scanText } from './helpers';

describe('bcc', () => {
  it('tc_redirect.py: fff2 ingress, fff3 egress, load_func names, src_file object; comment ignored', () => {
    expect(scanFixture('bcc/tc_redirect.py').map(brief)).toEqual([
      { lines: [13, 14], hook: 'tc-ingress', dev: 'veth-a', prog: 'on_ingress', object: 'tc_redirect.c' },
      { lines: [15, 16], hook: 'tc-egress', dev: 'veth-a', prog: 'on_egress', object: 'tc_redirect.c' },
    ]);
  });

  it('xdp_drop_count.py: conditional SKB mode is native, tc fallback, keyword arguments', () => {
    expect(scanFixture('bcc/xdp_drop_count.py').map(brief)).toEqual([
      // device = sys.argv[1]: unknown; flags |= SKB or DRV by option: not surely generic
      { lines: [20, 20], hook: 'xdp', prog: 'xdp_prog1' },
      { lines: [26, 27], hook: 'tc-ingress', prog: 'xdp_prog1' },
      // `fn=b.load_func(...)` is a keyword argument, not an assignment to fn
      { lines: [30, 30], hook: 'xdp-generic', dev: 'eth2', prog: 'xdp_generic_prog' },
    ]);
  });

  it('integer parent and subprocess argument lists', () => {
    const text = [
      'import subprocess',
      'fn = b.load_func("ingress_fn", BPF.SCHED_CLS)',
      'ip.tc("add-filter", "bpf", ip.link_lookup(ifname="br0")[0], ":1", fd=fn.fd, parent=0xFFFFFFF2, direct_action=True)',
      'subprocess.run(["sudo", "tc", "filter", "add", "dev", "br0", "egress", "bpf", "da", "obj", "x.o"], check=True)',
      'os.system(f"ip link set dev {dev} xdpgeneric obj x.o sec xdp")',
    ].join('\n');
    expect(scanText('load.py', text)).toEqual([
      { lines: [2, 2], hook: 'tc-ingress', dev: 'br0', prog: 'ingress_fn' },
      { lines: [3, 3], hook: 'tc-egress', dev: 'br0', object: 'x.o' },
      // {dev} is filled at run time
      { lines: [4, 4], hook: 'xdp-generic', object: 'x.o', section: 'xdp' },
    ]);
  });
});
