// Which device a redirect names: the attach line's `redirect-to`, else a constant ifindex
// matched to a device's `ifindex`. Unresolved targets are left to the engine, which takes
// the device the namespace's routes pick (and says so).
import type { Attachment, Device, Topology } from '../topology/model';
import type { RedirectFacts } from './program';

export interface TargetResolution { dev?: Device; how: string }

export function resolveTarget(r: RedirectFacts, attachment: Attachment, topo: Topology): TargetResolution {
  if (attachment.redirectTo) {
    return { dev: topo.devices.get(attachment.redirectTo), how: `redirect-to ${attachment.redirectTo} on the attach line` };
  }
  if (r.ifindex !== undefined) {
    const at = topo.devices.get(attachment.dev);
    const matches = [...topo.devices.values()].filter((d) => d.ifindex === r.ifindex);
    // skb_do_redirect looks the index up in skb->dev's namespace: prefer a match there.
    const dev = matches.find((d) => d.ns === at?.ns) ?? matches[0];
    if (dev) return { dev, how: `ifindex ${r.ifindex} (${r.ifindexText}) is ${dev.key}'s ifindex` };
    return { how: `ifindex ${r.ifindex} (${r.ifindexText}) matches no device's ifindex in the topology` };
  }
  return { how: `the ifindex (${r.ifindexText}) is computed at run time; add "redirect-to DEV" to the attach line to name it` };
}
