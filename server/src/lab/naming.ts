// Names of everything the lab creates: one random prefix per `lab up`, the topology's
// namespaces under it (`host` too: never the machine's own), a prefix-world namespace that
// absorbs what leaves through NICs without a wire, and the state file that `trace`/`down` read.
import { createHash, randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

/** `dl` + 6 hex digits: short enough for namespace names, unique per run. */
export function newPrefix(random: () => Buffer = () => randomBytes(3)): string {
  return `dl${random().toString('hex').slice(0, 6)}`;
}

/** The lab namespace standing for topology namespace `ns` (a NAME never holds `+`). */
export function labNs(prefix: string, ns: string): string {
  return `${prefix}-${ns}`;
}

export function worldNs(prefix: string): string {
  return `${prefix}+world`;
}

/** Every namespace of a lab starts so (ip netns list | grep it finds leftovers). */
export function ownsNs(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}-`) || name === worldNs(prefix);
}

/** The absorbing peer of the n-th NIC without a wire, in the world namespace. */
export function worldPeerName(n: number): string {
  return `w${n}`;
}

/** IFNAMSIZ is 16 with the NUL: 15 characters; no `/`, no spaces (NAME rules exclude them). */
export function deviceNameProblem(name: string): string | undefined {
  if (name.length > 15) return `the kernel limits device names to 15 characters (IFNAMSIZ), and "${name}" has ${name.length}`;
  if (name === '.' || name === '..') return `"${name}" is not a valid device name`;
  return undefined;
}

/** The state file of the lab built from one topology file, keyed by its absolute path. */
export function statePath(topoAbs: string, dir: string = os.tmpdir()): string {
  const h = createHash('sha256').update(path.resolve(topoAbs)).digest('hex').slice(0, 16);
  return path.join(dir, `datapath-lens-lab-${h}.json`);
}

/** The folder of a lab's compiled objects and bpffs mount. */
export function workDir(prefix: string, dir: string = os.tmpdir()): string {
  return path.join(dir, `datapath-lens-lab-${prefix}`);
}

/** The ping pattern of the n-th path of a trace: magic d4 7a, the path's number, a nonce. */
export function pingPattern(pathIndex: number, nonce: number): string {
  const b = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
  return `d47a${b(pathIndex)}${b(nonce)}`;
}
