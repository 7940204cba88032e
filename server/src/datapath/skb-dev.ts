// The device a program sees as skb->dev: where its redirects look their ifindex up
// (skb_do_redirect: dev_net(skb->dev)). At tc and XDP hooks that is the device the program is
// attached to. netkit programs run in netkit_xmit after skb->dev has become the receiving end:
// a netkit/peer program (attached on the primary, run when the peer transmits) sees the
// primary, a netkit/primary program sees the peer (checked on kernel 6.12, test/kernel-vm).
import type { Device, DevKey, Hook } from '../topology/model';

export function skbDevOf(attached: Device, hook: Hook, devices: ReadonlyMap<DevKey, Device>): Device {
  return hook === 'netkit-primary' && attached.peer ? devices.get(attached.peer) ?? attached : attached;
}
