// `datapath-lens import --from-dump`: the committed dump (made by make-dump.sh from a lab of
// fixtures/cilium-node/cilium-node.topo) imports without root into a topology that parses and
// walks like the original; bad dumps fail with the file and what is wrong, writing nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { importCommand } from '../../server/src/import/command';
import { bpftoolBlindSpots, importTopology } from '../../server/src/import/core';
import { emitTopology } from '../../server/src/import/emit';
import { NameMap } from '../../server/src/import/names';
import type { NsSnapshot } from '../../server/src/import/snapshot';
import { parseTopology } from '../../server/src/topology/parse';
import { recordingRunner } from '../../server/src/lab/exec';
import { pathLines, walk } from './helpers';

const FIX = path.join(__dirname, 'fixtures');
const DUMP = path.join(FIX, 'dump');
const ORIG = path.join(FIX, 'cilium-node', 'cilium-node.topo');
const C = path.join(FIX, 'cilium-node', 'node.bpf.c');
const noRun = recordingRunner([]);

let parser: CParser;
beforeAll(async () => { parser = await createCParser(); });

function fromDump(dir: string, outDir = path.join(FIX, 'cilium-node')) {
  return importTopology({ fromDump: dir, allNetns: true, sources: [C], outDir, run: noRun, root: false });
}

async function cli(args: string[]) {
  let out = '', err = '';
  const code = await importCommand(args, { out: (s) => { out += s; }, err: (s) => { err += s; }, run: noRun });
  return { code, out, err };
}

describe('import --from-dump', () => {
  it('gives a topology that parses, is stable, and names devices, pairs, bridges, routes and programs', () => {
    const a = fromDump(DUMP);
    expect(a.text).toBe(fromDump(DUMP).text);
    const parsed = parseTopology(a.text, path.join(FIX, 'cilium-node', 'imported.topo'));
    expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.text).toMatch(/^netns pod-a$/m);
    expect(a.text).toMatch(/^veth lxc-a ifindex 21 mac \S+ -- eth0@pod-a 10\.0\.1\.10\/32 ifindex \d+ mac \S+$/m);
    expect(a.text).toMatch(/^bridge cni0 10\.244\.7\.1\/24 ifindex \d+ mac \S+ ports vbr1 vbr2$/m);
    expect(a.text).toMatch(/^nic eth0 192\.168\.5\.10\/24 .*# veth; its peer is in a namespace that was not imported/m);
    expect(a.text).toMatch(/^route 10\.0\.2\.0\/24 via 192\.168\.5\.11 dev eth0$/m);
    expect(a.text).toMatch(/^route @pod-a default dev eth0$/m);
    expect(a.text).not.toMatch(/^route .*(proto|kernel|scope)/m);
    expect(a.text).not.toMatch(/^route .*10\.244\.7\.0\/24/m); // connected: implied by cni0's address
    // The kernel keeps 15 characters; the C file gives the function back.
    expect(a.text).toMatch(/^attach tc-ingress lxc-a prog cil_from_container_a file "node\.bpf\.c" priority \d+ +# id \d+; tag [0-9a-f]{16}; .*truncated it to "cil_from_contai"/m);
    expect(a.text).toMatch(/^attach tc-ingress lxc-b prog count_packets file "node\.bpf\.c"/m);
    // bpftool 7.5 lists tcx and netkit programs (kind "tcx/egress", "netkit/peer", ...).
    expect(a.text).toMatch(/^attach tcx-egress lxc-a prog count_packets file "node\.bpf\.c" +# id \d+/m);
    expect(a.text).toMatch(/^netkit nk-n ifindex 23 -- eth0@pod-n 10\.0\.1\.30\/32 ifindex \d+ mode l3$/m);
    expect(a.text).toMatch(/^attach netkit-peer nk-n prog nk_from_pod_n file "node\.bpf\.c"/m);
    expect(a.text).toMatch(/^attach netkit-primary nk-n prog nk_to_pod_n file "node\.bpf\.c"/m);
  });

  it('walks every path of the original the same way', () => {
    const orig = fs.readFileSync(ORIG, 'utf8');
    const imported = fromDump(DUMP).text + '\n' + pathLines(orig).join('\n') + '\n';
    const want = walk(parser, ORIG, orig, [C]);
    const got = walk(parser, path.join(FIX, 'cilium-node', 'imported.topo'), imported, [C]);
    expect(want.length).toBe(7);
    expect(got).toEqual(want);
  });

  it('says which programs an old bpftool cannot have listed', () => {
    expect(bpftoolBlindSpots('bpftool v7.1.0\nusing libbpf v1.1\n')).toBe('bpftool v7.1 does not list tcx (7.3+) or netkit (7.4+) programs: any attached that way are missing from this file');
    expect(bpftoolBlindSpots('bpftool v7.3.0')).toMatch(/does not list netkit \(7\.4\+\) programs/);
    expect(bpftoolBlindSpots('bpftool v7.5.0\nusing libbpf v1.5')).toBeUndefined();
    expect(bpftoolBlindSpots(undefined)).toBeUndefined();
    // The committed dump was made with bpftool 7.5: nothing to say. The same dump from 7.1 says so.
    expect(fromDump(DUMP).text).not.toMatch(/Not listed/);
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-old-'));
    try {
      fs.cpSync(DUMP, old, { recursive: true });
      fs.writeFileSync(path.join(old, 'root', 'bpftool-version'), 'bpftool v7.1.0\nusing libbpf v1.1\n');
      const r = fromDump(old);
      expect(r.text.split('\n')[1]).toBe('# Not listed: bpftool v7.1 does not list tcx (7.3+) or netkit (7.4+) programs: any attached that way are missing from this file');
      expect(r.unreadable).toContain('bpftool v7.1 does not list tcx (7.3+) or netkit (7.4+) programs: any attached that way are missing from this file');
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });

  it('without the C file keeps the truncated kernel name and says so', () => {
    const r = importTopology({ fromDump: DUMP, allNetns: true, outDir: FIX, run: noRun, root: false });
    expect(r.text).toMatch(/prog cil_from_contai priority \d+ .*kernel name, perhaps truncated/);
  });

  describe('bad dumps: a clear error, and no file written', () => {
    const cases: Array<[string, (d: string) => void, RegExp]> = [
      ['truncated JSON', (d) => { const f = path.join(d, 'root/link.json'); fs.writeFileSync(f, fs.readFileSync(f, 'utf8').slice(0, 200)); }, /root\/link\.json: not valid JSON .*truncated\?/],
      ['a missing file', (d) => fs.rmSync(path.join(d, 'netns/pod-a/route.json')), /netns\/pod-a\/route\.json: missing \(the output of "ip -j route"\)/],
      ['a missing tc file', (d) => fs.rmSync(path.join(d, 'root/tc-lxc-a-ingress.json')), /root\/tc-lxc-a-ingress\.json: missing \(the output of "tc -j filter show dev lxc-a ingress"\)/],
      ['an unknown device kind', (d) => { const f = path.join(d, 'root/link.json'); fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"info_kind":"bridge"', '"info_kind":"frobnicator"')); }, /root\/link\.json: device cni0 has an unknown kind "frobnicator"/],
      ['a bad ip_forward', (d) => fs.writeFileSync(path.join(d, 'netns/br-1/ip_forward'), 'yes\n'), /br-1\/ip_forward: expected 0 or 1/],
      ['not a dump', (d) => { fs.rmSync(path.join(d, 'root'), { recursive: true }); fs.rmSync(path.join(d, 'netns'), { recursive: true }); }, /not a dump/],
    ];
    for (const [what, spoil, message] of cases) {
      it(what, async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-import-'));
        try {
          const d = path.join(tmp, 'dump');
          fs.cpSync(DUMP, d, { recursive: true });
          spoil(d);
          const out = path.join(tmp, 'out.topo');
          fs.writeFileSync(out, 'previous\n');
          const r = await cli(['--from-dump', d, '--all-netns', '-o', out]);
          expect(r.code).toBe(2);
          expect(r.err).toMatch(message);
          expect(fs.readFileSync(out, 'utf8')).toBe('previous\n');
          expect(fs.readdirSync(tmp).sort()).toEqual(['dump', 'out.topo']);
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    }
  });

  it('writes -o through a temporary file, and --help documents the dump command', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-import-'));
    try {
      const out = path.join(tmp, 'node.topo');
      const r = await cli(['--from-dump', DUMP, '--all-netns', '--source', C, '-o', out]);
      expect(r.code).toBe(0);
      expect(fs.readdirSync(tmp)).toEqual(['node.topo']);
      expect(fs.readFileSync(out, 'utf8')).toMatch(/file "\.\.\/.*node\.bpf\.c"|file "\/.*node\.bpf\.c"|file ".*node\.bpf\.c"/);
      const h = await cli(['--help']);
      expect(h.out).toMatch(/for n in "" \$\(ip netns list \| cut -d' ' -f1\)/);
      const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
      expect(readme).toContain(h.out.trim().split('\n').pop()!.trim());
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('selects namespaces: --netns adds to the root, --prefix maps P-x back to x', () => {
    const r = importTopology({ fromDump: DUMP, netns: ['pod-a'], outDir: FIX, run: noRun, root: false });
    expect(r.text).toMatch(/^netns pod-a$/m);
    expect(r.text).not.toMatch(/^netns pod-b/m);
    expect(r.text).toMatch(/^nic lxc-b .*# veth; its peer is in namespace pod-b, which was not imported/m);
    // A netkit end without its peer is a nic, and a nic has no netkit hooks: said, not written.
    expect(r.text).toMatch(/^nic nk-n .*# netkit; its peer is in namespace pod-n, which was not imported/m);
    expect(r.text).toMatch(/^# left out in host: nk_to_pod_n at netkit-primary of nk-n \(its netkit peer was not imported, so nk-n is written as a nic\)$/m);
    expect(() => importTopology({ fromDump: DUMP, netns: ['nope'], outDir: FIX, run: noRun, root: false })).toThrow(/no namespace "nope"/);
  });
});

describe('emit', () => {
  const snap = (name: string, links: NsSnapshot['links'], extra: Partial<NsSnapshot> = {}): NsSnapshot => ({
    name, links, addrs: new Map(), ipv6: 0, routes: [], tc: [], bpftool: [], bpftoolRead: true, ipForward: true, nsids: new Map(), unreadable: [], ...extra,
  });
  it('maps names that are not NAMEs, says what a device really was, and writes netkit pairs primary first', () => {
    const root = snap('', [
      { ifindex: 5, ifname: 'lxc@x', kind: 'veth', linkIndex: 2, linkNetnsid: 0, xdp: [] },
      { ifindex: 6, ifname: 'nk0', kind: 'netkit', linkIndex: 3, linkNetnsid: 0, netkit: { primary: true, mode: 'l3' }, xdp: [] },
      { ifindex: 7, ifname: 'eth0.100', kind: 'vlan', xdp: [{ mode: 'xdp', prog: { name: 'xdp_pass', id: 9, tag: 'ab' } }] },
      { ifindex: 8, ifname: 'dummy0', kind: 'dummy', xdp: [] },
    ], { ipForward: false, nsids: new Map([[0, '1pod']]) });
    const pod = snap('1pod', [
      { ifindex: 2, ifname: 'eth0', kind: 'veth', linkIndex: 5, linkNetnsid: 0, xdp: [] },
      { ifindex: 3, ifname: 'nk1', kind: 'netkit', linkIndex: 6, linkNetnsid: 0, netkit: { primary: false, mode: 'l3' }, xdp: [] },
    ], { addrs: new Map([['eth0', ['10.1.0.2/24']]]), ipForward: false });
    const { text } = emitTopology([pod, root], { source: 'test', outDir: '/' });
    expect(text).toMatch(/^netns _1pod$/m);
    expect(text).toMatch(/# Renamed: namespace "1pod" is _1pod here/);
    expect(text).toMatch(/^veth lxc_x ifindex 5 -- eth0@_1pod 10\.1\.0\.2\/24 ifindex 2  # named "lxc@x" on the machine/m);
    expect(text).toMatch(/^netkit nk0 ifindex 6 -- nk1@_1pod ifindex 3 mode l3$/m);
    expect(text).toMatch(/^nic eth0\.100 ifindex 7  # vlan$/m);
    expect(text).toMatch(/^nic dummy0 ifindex 8  # dummy$/m);
    expect(text).toMatch(/^attach xdp eth0\.100 prog xdp_pass  # id 9; tag ab$/m);
    expect(text).toMatch(/host: ip_forward is 0/);
    expect(parseTopology(text, '/x.topo').diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('NameMap keeps NAMEs and makes the rest unique', () => {
    const m = new NameMap(['host']);
    expect(m.get('eth0.100')).toBe('eth0.100');
    expect(m.get('lxc@x')).toBe('lxc_x');
    expect(m.get('lxc#x')).toBe('lxc_x-2');
    expect(m.get('host')).toBe('host-2');
    expect([...m.changed.keys()]).toEqual(['lxc@x', 'lxc#x', 'host']);
  });
});
