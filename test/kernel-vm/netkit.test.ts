// netkit on a real kernel. This machine's kernel may be built without CONFIG_NETKIT (and its
// iproute2 may predate netkit), so the lab runs under a second kernel in qemu
// (scripts/kernel-vm.mjs: Debian's bookworm-backports kernel, iproute2 and bpftool), with this
// checkout's node, CLI and clang. One boot does it all:
//   1. `lab up / trace --json / down` of test/lab/netkit/netkit-pods.topo: every predicted path
//      against the kernel, and the claims of datapath.md "netkit" one by one;
//   2. the kernel's refusal of a netkit attach through the peer's ifindex;
//   3. the import round trip of the Cilium-like node (lxc veths with classic and tcx programs, a
//      netkit pair with its programs, a bridge pair, host-gw routes): `import --prefix P`, which
//      reads tcx and netkit programs through the VM's bpftool 7.5, gives the same path results.
// Skips, saying why, where qemu or the VM's kernel is missing; DATAPATH_LENS_VM=required (CI)
// turns that skip into a failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VmResult } from '../../scripts/kernel-vm.mjs' with { 'resolution-mode': 'import' };
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import type { TracedPath } from '../../server/src/lab/trace';
import { pathLines, walk } from '../import/helpers';

const ROOT = path.resolve(__dirname, '../..');
const LAB = path.join(ROOT, 'test/lab/netkit');
const NODE = path.join(ROOT, 'test/import/fixtures/cilium-node');
const required = process.env.DATAPATH_LENS_VM === 'required';

/** The job, in the VM's shell: results go to $DL_OUT, one file per step. */
const JOB = String.raw`
CLI="node $PWD/dist/cli.js"
W=$(mktemp -d)
cp -r test/lab/netkit "$W/lab"
cp -r test/import/fixtures/cilium-node "$W/node"
step() { name=$1; shift; "$@" >"$DL_OUT/$name.out" 2>"$DL_OUT/$name.err"; echo $? >"$DL_OUT/$name.rc"; }

step up $CLI lab up "$W/lab/netkit-pods.topo" --json
step trace $CLI lab trace "$W/lab/netkit-pods.topo" --json
# netkit_dev_fetch: attach through the peer's ifindex (eth0@pod-a, in its own namespace).
P=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).prefix)' "$DL_OUT/up.out")
IDX=$(node -e 'const u=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(u.devices.find(d=>d.dev==="eth0@pod-a").ifindex)' "$DL_OUT/up.out")
PIN=$(ls -d /tmp/datapath-lens-lab-$P/bpffs/obj*/nk_a_guard | head -n 1)
HELPER=/tmp/datapath-lens-lab-$P/mprog-attach
step peer-attach ip netns exec "$P-pod-a" "$HELPER" attach "$PIN" "$IDX" netkit-primary
# drivers/net/netkit.c has no ndo_bpf: native XDP is refused, generic XDP is taken.
XDP=$(ls -d /tmp/datapath-lens-lab-$P/bpffs/obj*/nk_xdp_drop | head -n 1)
step xdp-native ip -n "$P-host" link set dev nk-b xdpdrv pinned "$XDP"
step xdp-generic ip -n "$P-host" link set dev nk-b xdpgeneric pinned "$XDP"
step down $CLI lab down "$W/lab/netkit-pods.topo"
# datapath.md's defaults: a pair made without options is L3 (NOARP, no MAC), policy forward.
ip netns add dl-defaults
step defaults-add ip -n dl-defaults link add nk0 type netkit peer name nk1
ip -n dl-defaults -j -d link show nk0 >"$DL_OUT/defaults.json"
step defaults-mac ip -n dl-defaults link set dev nk0 address 02:00:00:00:00:01
ip netns del dl-defaults

step node-up $CLI lab up "$W/node/cilium-node.topo" --json
NP=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).prefix)' "$DL_OUT/node-up.out")
step import $CLI import --prefix "$NP" --source "$W/node/node.bpf.c" -o "$W/node/imported.topo"
cp "$W/node/imported.topo" "$DL_OUT/"
step node-down $CLI lab down "$W/node/cilium-node.topo"
uname -r >"$DL_OUT/uname"
`;

let vm: VmResult;
let parser: CParser;
/** Why the VM cannot run here (then every test skips), or undefined. */
let unsupported: string | undefined;
const file = (name: string) => vm.files[name] ?? '';
const step = (name: string) => ({ rc: Number(file(`${name}.rc`).trim()), out: file(`${name}.out`), err: file(`${name}.err`) });

describe('netkit on a kernel that has it (qemu)', () => {
  beforeAll(async () => {
    const kvm = await import('../../scripts/kernel-vm.mjs');
    unsupported = process.getuid?.() === 0 ? kvm.vmUnsupported() : 'the kernel VM runs as root';
    if (unsupported && required) throw new Error(`DATAPATH_LENS_VM=required, but ${unsupported}`);
    if (unsupported) { console.warn(`test/kernel-vm/netkit.test.ts skipped: ${unsupported}.`); return; }
    if (!fs.existsSync(path.join(ROOT, 'dist/cli.js')) || !fs.existsSync(path.join(ROOT, 'dist/lab-mprog-attach.c'))) {
      spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT });
    }
    parser = await createCParser();
    vm = await kvm.runInVm(JOB, { cwd: ROOT, timeoutMs: 900_000 });
    if (vm.status !== 0) throw new Error(`the VM's job failed (status ${vm.status}):\n${vm.stderr}\n${vm.console.slice(-3000)}`);
  }, 960_000);

  beforeEach((ctx) => { if (unsupported) ctx.skip(); });

  it('boots a kernel with netkit', () => {
    expect(file('uname')).toMatch(/^6\.(?:[7-9]|\d\d)/);
  });

  it('every predicted netkit path matches the kernel', () => {
    expect(step('up').rc, step('up').err).toBe(0);
    expect(step('trace').rc, step('trace').err).toBe(0);
    const traced = JSON.parse(step('trace').out) as { paths: TracedPath[] };
    expect(traced.paths).toHaveLength(pathLines(fs.readFileSync(path.join(LAB, 'netkit-pods.topo'), 'utf8')).length);
    for (const p of traced.paths) expect({ path: `${p.from} -> ${p.to}`, match: p.match, observed: p.observed }).toMatchObject({ match: true });
    const by = (from: string, to: string) => traced.paths.find((p) => p.from === from && p.to === to)!.observed;
    // A netkit/peer program's bpf_redirect: out of nk-b at once; nk-a never plays Ingress, and
    // the ifindex was found in the host, the namespace of skb->dev (the primary).
    expect(by('pod-a', 'pod-b')).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-a:egress', 'nk-b@host:egress', 'eth0@pod-b:ingress'] });
    // A peer redirect into the pair skips nk-a's egress and its netkit/primary (which drops).
    expect(by('pod-b', 'pod-a')).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-b:egress', 'nk-b@host:ingress', 'eth0@pod-a:ingress'] });
    // bpf_redirect_peer from a netkit program: dropped in the sender's netkit_xmit.
    expect(by('pod-c', 'pod-d')).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-c:egress'] });
    // netkit/primary runs when the host transmits into the pod: its drop ends the path there.
    expect(by('pod-d', 'pod-a')).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-d:egress', 'nk-d@host:ingress', 'nk-a@host:egress'] });
    // L3 pairs (no ARP) and an L2 pair (ARP across it) through the host.
    expect(by('pod-d', 'pod-e')).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-d:egress', 'nk-d@host:ingress', 'nk-e@host:egress', 'eth0@pod-e:ingress'] });
    expect(by('pod-e', '10.0.5.1')).toMatchObject({ verdict: 'delivered' });
    // TC_ACT_UNSPEC is NETKIT_NEXT: passed after the last program. TC_ACT_PIPE is no netkit
    // code (a tc filter would read it as "next"): dropped.
    expect(by('pod-f', 'pod-d')).toMatchObject({ verdict: 'delivered' });
    expect(by('pod-g', 'pod-d')).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-g:egress'] });
    // Generic XDP on a netkit device: dropped in __netif_receive_skb_core, before tc ingress.
    expect(by('pod-h', 'pod-d')).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-h:egress'] });
  });

  it('defaults: L3 mode (NOARP, no MAC, none can be set), policy forward on both ends', () => {
    expect(step('defaults-add').rc, step('defaults-add').err).toBe(0);
    const [l] = JSON.parse(file('defaults.json')) as Array<{ flags: string[]; address: string; linkinfo: { info_kind: string; info_data: Record<string, string> } }>;
    expect(l.linkinfo).toMatchObject({ info_kind: 'netkit', info_data: { mode: 'l3', type: 'primary', policy: 'forward', peer_policy: 'forward' } });
    expect(l.flags).toContain('NOARP');
    expect(l.address).toBe('00:00:00:00:00:00');
    expect(step('defaults-mac').rc).not.toBe(0);
    expect(step('defaults-mac').err).toMatch(/Operation not supported/);
  });

  it('refuses a netkit attach through the peer end (EACCES)', () => {
    const r = step('peer-attach');
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/Permission denied \(netkit programs attach through the primary end's ifindex\)/);
    expect(step('down').rc, step('down').err).toBe(0);
  });

  it('refuses native XDP on a netkit device and takes generic XDP', () => {
    expect(step('xdp-native').rc).not.toBe(0);
    expect(step('xdp-native').err).toMatch(/Underlying driver does not support XDP in native mode/);
    expect(step('xdp-generic').rc, step('xdp-generic').err).toBe(0);
  });

  it('imports the Cilium-like node (netkit included) into a topology with the same paths', () => {
    expect(step('node-up').rc, step('node-up').err).toBe(0);
    expect(step('import').rc, step('import').err).toBe(0);
    expect(step('node-down').rc, step('node-down').err).toBe(0);
    const imported = file('imported.topo');
    expect(imported).toMatch(/^netkit nk-n ifindex 23 -- eth0@pod-n 10\.0\.1\.30\/32 ifindex \d+ mode l3/m);
    expect(imported).toMatch(/^attach netkit-peer nk-n prog nk_from_pod_n file "node\.bpf\.c"/m);
    expect(imported).toMatch(/^attach netkit-primary nk-n prog nk_to_pod_n file "node\.bpf\.c"/m);
    const origFile = path.join(NODE, 'cilium-node.topo');
    const orig = fs.readFileSync(origFile, 'utf8');
    const c = [path.join(NODE, 'node.bpf.c')];
    const want = walk(parser, origFile, orig, c);
    const got = walk(parser, path.join(NODE, 'imported.topo'), imported + '\n' + pathLines(orig).join('\n') + '\n', c);
    expect(want.length).toBe(pathLines(orig).length);
    expect(got).toEqual(want);
    const attaches = (t: string) => t.split('\n').filter((l) => l.startsWith('attach ')).map((l) => l.split(/\s+/).slice(0, 5).join(' ')).sort();
    expect(attaches(imported)).toEqual(attaches(orig));
  });
});
