// What a lab leaves on the machine, recorded as it is created so that `trace` and `down` (or a
// `down` after a crash) find everything: one JSON file under os.tmpdir() per topology file.
import * as fs from 'node:fs';
import { statePath } from './naming';

export interface LabDeviceState {
  /** `name@ns` in the topology; world peers are `wN@+world`. */
  key: string;
  name: string;
  /** The lab namespace it lives in. */
  labNs: string;
  ifindex: number;
  mac?: string;
  /** True for the absorbing peers in the world namespace (not topology devices). */
  world?: boolean;
}

export interface LabState {
  version: 1;
  topology: string;
  /** sha256 of the topology text at `up`, to warn when it changed. */
  topologyHash: string;
  prefix: string;
  createdAt: string;
  pid: number;
  workDir: string;
  /** Namespaces created so far, in creation order. */
  namespaces: string[];
  /** The bpffs mount point, once mounted. */
  bpffs?: string;
  devices: LabDeviceState[];
  /** The tcx/netkit attach helper, when the lab built one (the probes then go on as tcx). */
  mprog?: string;
  /** Devices that got a clsact qdisc (labNs/name). */
  clsact: string[];
  /** Notes for the user (tcx attached the classic way, ...). */
  notes: string[];
  /** True once `up` finished. */
  complete: boolean;
}

export function readState(topoAbs: string, dir?: string): LabState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(topoAbs, dir), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function writeState(s: LabState, dir?: string): void {
  const file = statePath(s.topology, dir);
  fs.writeFileSync(file + '.tmp', JSON.stringify(s, null, 2));
  fs.renameSync(file + '.tmp', file);
}

export function removeState(topoAbs: string, dir?: string): void {
  fs.rmSync(statePath(topoAbs, dir), { force: true });
}
