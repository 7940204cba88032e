// Which device a redirect names: the attach line's `redirect-to`, else a constant ifindex
// matched to a device's `ifindex`, else (an ifindex computed at run time) a `map` line keyed by
// the packet's destination address. Unresolved targets are left to the engine, which takes
// the device the namespace's routes pick (and says so).
import { skbDevOf } from '../datapath/skb-dev';
import type { Attachment, Device, Topology } from '../topology/model';
import type { MapDecl } from './map-decls';
import type { RedirectFacts } from './program';

export interface TargetResolution {
  dev?: Device;
  how: string;
  /** `map` lines fill the program's ifindex map, but none for this destination: the lookup misses. */
  miss?: boolean;
}

/** What the packet and the program's file add: the destination address, the file's maps. */
export interface TargetContext { dstIp?: number; file?: string; maps?: MapDecl[] }

export function resolveTarget(r: RedirectFacts, attachment: Attachment, topo: Topology, ctx: TargetContext = {}): TargetResolution {
  if (attachment.redirectTo) {
    return { dev: topo.devices.get(attachment.redirectTo), how: `redirect-to ${attachment.redirectTo} on the attach line` };
  }
  if (r.ifindex !== undefined) {
    const attached = topo.devices.get(attachment.dev);
    // skb_do_redirect looks the index up in skb->dev's namespace: prefer a match there.
    const at = attached && skbDevOf(attached, attachment.hook, topo.devices);
    const matches = [...topo.devices.values()].filter((d) => d.ifindex === r.ifindex);
    const dev = matches.find((d) => d.ns === at?.ns) ?? matches[0];
    if (dev) return { dev, how: `ifindex ${r.ifindex} (${r.ifindexText}) is ${dev.key}'s ifindex` };
    return { how: `ifindex ${r.ifindex} (${r.ifindexText}) matches no device's ifindex in the topology` };
  }
  const fromMap = ctx.dstIp !== undefined ? mapTarget(topo, ctx) : undefined;
  if (fromMap) return fromMap;
  return { how: `the ifindex (${r.ifindexText}) is computed at run time; add "redirect-to DEV" to the attach line to name it` };
}

/**
 * `map NAME [file F] IP => DEV` lines of the program's file whose key is the destination: the
 * map's DEV is the ifindex the program looks up (maps of MACs, 6-byte values, excluded). One
 * device only; several different ones leave the target unresolved.
 */
function mapTarget(topo: Topology, ctx: TargetContext): TargetResolution | undefined {
  const declared = ctx.maps ? new Map(ctx.maps.map((m) => [m.name, m])) : undefined;
  const all = topo.maps.filter((m) => m.key.kind === 'ip' && m.value.kind === 'dev'
    && (!m.fileAbs || !ctx.file || m.fileAbs === ctx.file)
    && (!declared || (declared.has(m.name) && declared.get(m.name)!.valueBytes !== 6)));
  const fills = all.filter((m) => m.key.kind === 'ip' && m.key.ip === ctx.dstIp);
  if (all.length && !fills.length) {
    return { miss: true, how: `the map lines of ${[...new Set(all.map((m) => m.name))].join(', ')} hold no entry for the packet's destination: the lookup misses` };
  }
  const devs = [...new Set(fills.map((m) => (m.value as { dev: string }).dev))];
  if (devs.length !== 1) return undefined;
  const dev = topo.devices.get(devs[0]);
  const f = fills[0];
  return dev ? { dev, how: `map ${f.name} holds ${f.key.text} => ${f.value.text} (line ${f.range.start.line + 1}), the packet's destination` } : undefined;
}
