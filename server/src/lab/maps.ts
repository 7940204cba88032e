// What the programs' maps hold in the lab: the topology's `map NAME [file "PATH"] KEY => VALUE`
// lines, and, for an object no `map` line speaks of, a rule from the attach lines' `redirect-to`:
//
//   For every attach line `... redirect-to R` of the object, and every IPv4 address A "behind"
//   R (the addresses of R's veth peer, and of devices that R's namespace routes to with a
//   `/32 dev R` route), every hash map of the object with a 4-byte key gets the entry
//   A (network byte order) => R's ifindex when its value has 4 or 8 bytes, or
//   A => the MAC of the device that owns A when its value has 6 bytes.
//
// So lxc.bpf.c's `endpoints` maps the destination pod's IP to its host-side veth's ifindex,
// and `endpoint_macs` maps it to the pod's MAC. Numbers are stored in the host's byte order
// (little-endian here), IPs in network byte order, MACs as their 6 bytes.
import { addressOwner, formatIp } from '../topology/address';
import type { DevKey, MapFill, MapOperand, Topology } from '../topology/model';
import { LabError, type Cmd } from './exec';

export interface MapInfo { name: string; type: string; keySize: number; valueSize: number; pinned: string }

/** Where the lab looks up a device's ifindex and MAC. */
export interface DeviceFacts { ifindex(dev: DevKey): number; mac(dev: DevKey): string }

export function hexBytes(bytes: number[]): string[] {
  return bytes.map((b) => b.toString(16).padStart(2, '0'));
}

function littleEndian(value: number, size: number): number[] {
  const out: number[] = [];
  let v = BigInt(value);
  for (let i = 0; i < size; i++) { out.push(Number(v & 0xffn)); v >>= 8n; }
  return out;
}

/** One operand as the `size` bytes the map stores. */
export function encodeOperand(op: MapOperand, size: number, facts: DeviceFacts): number[] {
  switch (op.kind) {
    case 'ip':
      if (size !== 4) throw new LabError(`${op.text}: an IPv4 address needs a 4-byte key or value, the map has ${size} bytes`);
      return [24, 16, 8, 0].map((s) => Math.floor(op.ip / 2 ** s) % 256);
    case 'number':
      if (op.value >= 2 ** (8 * size)) throw new LabError(`${op.text} does not fit in ${size} bytes`);
      return littleEndian(op.value, size);
    case 'dev':
      if (size === 6) return facts.mac(op.dev).split(':').map((h) => parseInt(h, 16));
      if (size !== 4 && size !== 8) throw new LabError(`${op.text}: a device is its ifindex (4 or 8 bytes) or its MAC (6 bytes), the map has ${size} bytes`);
      return littleEndian(facts.ifindex(op.dev), size);
  }
}

export function updateCommand(m: MapInfo, key: number[], value: number[]): Cmd {
  return { argv: ['bpftool', 'map', 'update', 'pinned', m.pinned, 'key', 'hex', ...hexBytes(key), 'value', 'hex', ...hexBytes(value)] };
}

/** `bpftool -j map show pinned P` → sizes and type. */
export function parseMapShow(json: string, pinned: string): MapInfo {
  const j = JSON.parse(json) as { name: string; type: string; bytes_key: number; bytes_value: number };
  return { name: j.name, type: j.type, keySize: j.bytes_key, valueSize: j.bytes_value, pinned };
}

export interface ObjectMaps { source: string; maps: MapInfo[]; redirectTo: DevKey[] }

export interface Fill { map: MapInfo; key: number[]; value: number[]; why: string }

/** The IPv4 addresses behind a redirect target, each with the device that owns it. */
export function behind(topo: Topology, r: DevKey): Array<{ ip: number; owner: DevKey }> {
  const d = topo.devices.get(r);
  if (!d) return [];
  const out: Array<{ ip: number; owner: DevKey }> = [];
  const add = (ip: number, owner: DevKey) => { if (!out.some((x) => x.ip === ip)) out.push({ ip, owner }); };
  const peer = d.peer ? topo.devices.get(d.peer) : undefined;
  for (const c of peer?.addrs ?? []) add(c.addr, peer!.key);
  for (const route of topo.routes) {
    if (route.dev !== r || !route.dest || route.dest.len !== 32) continue;
    const owner = addressOwner(topo, route.dest!.addr);
    if (owner) add(route.dest.addr, owner.key);
  }
  return out;
}

function explicitFills(fills: MapFill[], objects: ObjectMaps[], facts: DeviceFacts): Fill[] {
  const out: Fill[] = [];
  for (const f of fills) {
    const targets = objects.flatMap((o) => (f.fileAbs && f.fileAbs !== o.source ? [] : o.maps.filter((m) => m.name === f.name)));
    if (!targets.length) throw new LabError(`map ${f.name}${f.file ? ` file "${f.file}"` : ''}: no loaded program object has a map of that name`);
    for (const m of targets) {
      out.push({ map: m, key: encodeOperand(f.key, m.keySize, facts), value: encodeOperand(f.value, m.valueSize, facts), why: `map ${f.name} ${f.key.text} => ${f.value.text}` });
    }
  }
  return out;
}

const HASHES = new Set(['hash', 'lru_hash', 'percpu_hash', 'lru_percpu_hash']);

/** The `map` lines' entries, and the redirect-to rule for objects no `map` line speaks of. */
export function mapFills(topo: Topology, objects: ObjectMaps[], facts: DeviceFacts): Fill[] {
  const out = explicitFills(topo.maps, objects, facts);
  for (const o of objects) {
    const spoken = topo.maps.some((f) => f.fileAbs ? f.fileAbs === o.source : o.maps.some((m) => m.name === f.name));
    if (spoken) continue;
    for (const r of o.redirectTo) {
      for (const { ip, owner } of behind(topo, r)) {
        for (const m of o.maps) {
          if (!HASHES.has(m.type) || m.keySize !== 4 || m.type.includes('percpu')) continue;
          const key = encodeOperand({ kind: 'ip', ip, text: formatIp(ip) }, 4, facts);
          if (m.valueSize === 6) out.push({ map: m, key, value: encodeOperand({ kind: 'dev', dev: owner, text: owner }, 6, facts), why: `${m.name}: ${formatIp(ip)} => MAC of ${owner} (redirect-to ${r})` });
          else if (m.valueSize === 4 || m.valueSize === 8) out.push({ map: m, key, value: encodeOperand({ kind: 'dev', dev: r, text: r }, m.valueSize, facts), why: `${m.name}: ${formatIp(ip)} => ifindex of ${r} (redirect-to ${r})` });
        }
      }
    }
  }
  return out;
}
