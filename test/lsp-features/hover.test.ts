// Hovers at exact positions of the acceptance cases and the examples, on a real workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../server/src/inference/workspace';
import { hover } from '../../server/src/lsp/hover';
import { at, CASES, ctxFor, EXAMPLES, hoverText, workspace } from './helpers';

const LXC = path.join(CASES, 'lxc.bpf.c');
const SECTIONS = path.join(CASES, 'sections.bpf.c');
const PEER_TOPO = path.join(CASES, 'redirect-peer.topo');

describe('hover in C on a program name', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await workspace(PEER_TOPO, SECTIONS); });

  it('to_pod_peer (line 24, col 5): hook, device, role, neighbours, stages, evidence, return codes, verdict', () => {
    const ctx = ctxFor(ws, LXC);
    const h = hover(ctx, { line: 23, character: 4 });
    const text = hoverText(h);
    expect(h?.range).toEqual({ start: { line: 23, character: 4 }, end: { line: 23, character: 15 } });
    for (const s of ['tc-ingress', 'lxc-a@host', '**Ingress**', 'first device in this namespace']) expect(text).toContain(s);
    // where the packet came from and goes next, from the path that runs it
    expect(text).toContain('hop 2 of 3');
    expect(text).toContain('came from `eth0@pod-a` Egress');
    expect(text).toContain('goes next to `eth0@pod-b` Ingress');
    // the kernel stages around the hook
    expect(text).toMatch(/just before: `__netif_receive_skb_core`/);
    expect(text).toMatch(/the hook: `sch_handle_ingress`/);
    expect(text).toMatch(/just after: `skb_do_redirect`/);
    // evidence and confidence
    expect(text).toContain('confidence **declared**');
    expect(text).toContain('topology: `attach tc-ingress lxc-a@host prog to_pod_peer` (redirect-peer.topo:14) **(used)**');
    // the return-code table of tc, with the line that returns TC_ACT_OK
    expect(text).toContain('| `TC_ACT_SHOT` | 2 | dropped |');
    expect(text).toContain('| `TC_ACT_OK` | 0 | the packet goes on | line 28 |');
    // the engine's verdict
    expect(text).toContain('**Engine verdict**: returns `TC_ACT_REDIRECT`: `bpf_redirect_peer` → `lxc-b@host`');
  });

  it('a program placed by its section only says so, with the tcx table', () => {
    const ctx = ctxFor(ws, SECTIONS);
    const text = hoverText(hover(ctx, at(ctx, 13, 'count_egress', 3)));
    expect(text).toContain('confidence **section**');
    expect(text).toContain('`tcx-egress`');
    expect(text).toContain('**Egress**');
    expect(text).toContain('| `TCX_PASS` | 0 |');
    expect(text).toContain('`TC_ACT_OK` → `TCX_PASS`');
  });

  it('a program placed by loader code names the loader line', async () => {
    const w = await workspace(path.join(CASES, 'egress.bpf.c'));
    w.setLoader(path.join(CASES, 'attach.sh'), fs.readFileSync(path.join(CASES, 'attach.sh'), 'utf8'));
    const ctx = ctxFor(w, path.join(CASES, 'egress.bpf.c'));
    const text = hoverText(hover(ctx, at(ctx, 7, 'mark_egress')));
    expect(text).toContain('Runs at `tc-egress` of `eth0`: the device plays **Egress**');
    expect(text).toContain('confidence **loader**');
    expect(text).toContain('loader: `tc filter add dev eth0 egress bpf direct-action obj egress.bpf.o sec tc` (attach.sh:6) **(used)**');
    expect(text).toContain('line 10: `TC_ACT_OK` → `TC_ACT_OK` (the packet goes on)');
  });

  it('a program nothing places says how to place it', () => {
    const ctx = ctxFor(ws, SECTIONS);
    const text = hoverText(hover(ctx, at(ctx, 25, 'who_knows')));
    expect(text).toContain('Where it runs is **unknown**');
    expect(text).toContain('attach tc-ingress DEV prog who_knows');
  });

  it('nothing on an ordinary identifier or white space', () => {
    const ctx = ctxFor(ws, LXC);
    expect(hover(ctx, at(ctx, 26, 'lookup_ifindex'))).toBeNull();
    expect(hover(ctx, { line: 4, character: 0 })).toBeNull();
    expect(hover(ctx, { line: 999, character: 3 })).toBeNull();
  });
});

describe('hover in C on a redirect call', () => {
  it('bpf_redirect_peer at tc ingress: eth0@pod-b plays Ingress directly, no backlog', async () => {
    const ws = await workspace(PEER_TOPO);
    const ctx = ctxFor(ws, LXC);
    const h = hover(ctx, at(ctx, 29, 'bpf_redirect_peer', 2));
    const text = hoverText(h);
    expect(h?.range?.start).toEqual({ line: 28, character: 8 });
    expect(text).toContain('`eth0@pod-b` plays **Ingress** directly (`skb_do_redirect` → another round of `__netif_receive_skb_core`), no backlog queue');
    expect(text).toContain('Target: `lxc-b@host`, resolved from redirect-to lxc-b@host on the attach line');
    expect(text).toContain('Legal here: yes');
    expect(text).toContain('**Flags** `0`: legal');
    expect(text).toContain('next hop `eth0@pod-b` Ingress via peer-redirect');
  });

  it('the same call attached at tc egress is not legal there', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-peer-at-egress.topo'));
    const ctx = ctxFor(ws, LXC);
    const text = hoverText(hover(ctx, at(ctx, 29, 'bpf_redirect_peer')));
    expect(text).toContain('Legal here: **no**');
    expect(text).toContain('only at tc ingress');
    expect(text).toContain('`redirect-peer-not-ingress`');
    expect(text).not.toContain('plays **Ingress** directly');
  });

  it('bpf_redirect(.., 0): the target plays Egress, then its peer Ingress via backlog', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-xmit.topo'));
    const ctx = ctxFor(ws, LXC);
    const text = hoverText(hover(ctx, at(ctx, 39, 'bpf_redirect')));
    expect(text).toContain('`lxc-b@host` plays **Egress**');
    expect(text).toContain('then `eth0@pod-b` plays **Ingress** via the backlog queue');
    expect(text).toContain('not rewritten');
  });

  it('an ignored result: no redirect happens', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-forgetful.topo'));
    const ctx = ctxFor(ws, LXC);
    const text = hoverText(hover(ctx, at(ctx, 58, 'bpf_redirect')));
    expect(text).toContain('**No redirect happens**');
    expect(text).toContain('Goes to: nowhere: the result is ignored');
  });

  it('a wrong-direction redirect shows the core finding', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-wrong-way.topo'));
    const ctx = ctxFor(ws, LXC);
    const text = hoverText(hover(ctx, at(ctx, 49, 'bpf_redirect')));
    expect(text).toContain('`lxc-b@host` plays **Ingress** via the backlog queue');
    expect(text).toContain('`redirect-wrong-direction`');
  });
});

describe('hover in C on verdict and flag constants', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await workspace(SECTIONS, PEER_TOPO); });

  it('TC_ACT_OK in an XDP program is XDP_ABORTED', () => {
    const ctx = ctxFor(ws, SECTIONS);
    const h = hover(ctx, at(ctx, 39, 'TC_ACT_OK', 3));
    const text = hoverText(h);
    expect(text).toContain('`TC_ACT_OK` = `0`');
    expect(text).toContain('in XDP, `TC_ACT_OK` (0) is `XDP_ABORTED`');
    expect(h?.range).toEqual({ start: { line: 38, character: 8 }, end: { line: 38, character: 17 } });
  });

  it('XDP_PASS in an XDP program has no overlap warning', () => {
    const ctx = ctxFor(ws, SECTIONS);
    const text = hoverText(hover(ctx, at(ctx, 21, 'XDP_PASS')));
    expect(text).toContain('`XDP_PASS` = `2`');
    expect(text).toContain('An XDP action');
    expect(text).not.toContain('⚠');
  });

  it('TC_ACT_OK in a tc program means what it says', () => {
    const ctx = ctxFor(ws, LXC);
    const text = hoverText(hover(ctx, at(ctx, 28, 'TC_ACT_OK')));
    expect(text).toContain('the packet continues');
    expect(text).toContain('it means what it says');
  });

  it('BPF_F_INGRESS inside a redirect call gets the flag, not the call', () => {
    const ctx = ctxFor(ws, LXC);
    const text = hoverText(hover(ctx, at(ctx, 49, 'BPF_F_INGRESS', 4)));
    expect(text).toContain('`BPF_F_INGRESS` = `1`');
    expect(text).toContain('the target plays **Ingress**');
  });
});

describe('hover in topology files', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await workspace(PEER_TOPO); });

  it('a device: kind, namespace, peer, programs and its role in each path', () => {
    const ctx = ctxFor(ws, PEER_TOPO);
    const text = hoverText(hover(ctx, at(ctx, 6, 'lxc-a', 1)));
    expect(text).toContain('`lxc-a@host`: a **veth**');
    expect(text).toContain('namespace `host`');
    expect(text).toContain('peer `eth0@pod-a`');
    expect(text).toContain('`tc-ingress` → `to_pod_peer`');
    expect(text).toContain('| `pod-a -> pod-b` | 2 of 3 | **Ingress** | veth |');
  });

  it('a device written NAME@NS: the name part is the device, the @NS part the namespace', () => {
    const ctx = ctxFor(ws, PEER_TOPO);
    expect(hoverText(hover(ctx, at(ctx, 7, 'eth0', 1)))).toContain('`eth0@pod-b`: a **veth**');
    const ns = hoverText(hover(ctx, at(ctx, 7, 'pod-b', 1)));
    expect(ns).toContain('namespace `pod-b`');
    expect(ns).toContain('forwarding **off**');
    expect(ns).toContain('`eth0`: veth, `10.0.1.20/32`');
  });

  it('a hook token: explainHook, the program and what it does there', () => {
    const ctx = ctxFor(ws, PEER_TOPO);
    const text = hoverText(hover(ctx, at(ctx, 14, 'tc-ingress', 2)));
    expect(text).toContain('tc ingress (classic clsact filter)');
    expect(text).toContain('`lxc-a@host` plays **Ingress** when `to_pod_peer` runs here');
    expect(text).toContain('lxc.bpf.c:24');
    expect(text).toContain('returns `TC_ACT_REDIRECT`');
  });

  it('a program after prog: where it is defined, its section', () => {
    const ctx = ctxFor(ws, PEER_TOPO);
    const text = hoverText(hover(ctx, at(ctx, 14, 'to_pod_peer')));
    expect(text).toContain('defined in lxc.bpf.c:24, section `SEC("tc")`');
    expect(text).toContain('`bpf_redirect_peer` (line 29)');
  });

  it('a path statement: a numbered hop table and the verdict', () => {
    const ctx = ctxFor(ws, PEER_TOPO);
    const text = hoverText(hover(ctx, at(ctx, 16, 'path')));
    expect(text).toContain('| # | device | role | via | programs |');
    expect(text).toContain('| 1 | `eth0@pod-a` | **Egress** | stack |');
    expect(text).toContain('| 2 | `lxc-a@host` | **Ingress** | veth | `to_pod_peer` (tc-ingress) → `TC_ACT_REDIRECT` |');
    expect(text).toContain('| 3 | `eth0@pod-b` | **Ingress** | peer-redirect |');
    expect(text).toContain('Verdict: **delivered**');
  });

  it('a dropped path gives the reason', async () => {
    const w = await workspace(path.join(CASES, 'no-forwarding.topo'));
    const ctx = ctxFor(w, path.join(CASES, 'no-forwarding.topo'));
    const text = hoverText(hover(ctx, at(ctx, 10, '->')));
    expect(text).toContain('Verdict: **dropped**');
    expect(text).toContain('forwarding disabled in namespace "mid"');
  });

  it('a bridge in the bridge example: Ingress via up in two paths', async () => {
    const file = path.join(EXAMPLES, 'bridge-pods/bridge-pods.topo');
    const w = await workspace(file);
    const ctx = ctxFor(w, file);
    const text = hoverText(hover(ctx, at(ctx, 11, 'cni0')));
    expect(text).toContain('a **bridge**');
    expect(text).toContain('ports: `veth-pod1@host`, `veth-pod2@host`');
    expect(text).toContain('| `pod2 -> 10.244.1.1` | 3 of 3 | **Ingress** | up |');
  });

  it('keywords get their syntax; comments and blanks get nothing', () => {
    const ctx = ctxFor(ws, PEER_TOPO);
    expect(hoverText(hover(ctx, at(ctx, 9, 'route')))).toContain('`route [@NS] DEST [via IP] [dev NAME]`');
    expect(hover(ctx, at(ctx, 1, 'pods'))).toBeNull();
    expect(hover(ctx, { line: 4, character: 0 })).toBeNull();
  });

  it('user names are shown verbatim in code spans, Markdown in them cannot leak', async () => {
    const file = path.join(CASES, 'virtual-markdown.topo');
    const w = await workspace();
    const ctx = ctxFor(w, file, 'netns _a_\nnic __b__@_a_ 10.0.0.1/24\npath _a_ -> 10.0.0.9\n');
    const text = hoverText(hover(ctx, at(ctx, 2, '__b__')));
    expect(text).toContain('`__b__@_a_`: a **nic**');
    expect(text).toContain('namespace `_a_`');
    expect(hoverText(hover(ctx, at(ctx, 3, 'path')))).toContain('path `_a_ -> 10.0.0.9`');
  });
});
