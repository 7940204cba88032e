// The topology model every feature shares: text → parse → this → walk / analysis / pictures.
// Positions are 0-based (line, UTF-16 character) as in LSP; the CLI adds 1 when printing.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export type Severity = 'error' | 'warning' | 'info';

/** A finding about a source file; `file` is the path the caller gave for it. */
export interface Diagnostic {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  /** A mechanical fix: replace `range` with `text` (quick fixes use it). */
  fix?: { title: string; range: Range; text: string };
}

export type DeviceKind = 'nic' | 'veth' | 'bridge' | 'netkit';

export const HOOKS = [
  'tc-ingress', 'tc-egress', 'tcx-ingress', 'tcx-egress',
  'xdp', 'xdp-generic', 'netkit-primary', 'netkit-peer',
] as const;
export type Hook = typeof HOOKS[number];
export const isHook = (h: string): h is Hook => (HOOKS as readonly string[]).includes(h);

/** `name@ns`: the one way devices are keyed across the code base. */
export type DevKey = string;
export const devKey = (name: string, ns: string): DevKey => `${name}@${ns}`;

/** An IPv4 prefix; `addr` and `net` are 32-bit unsigned numbers. */
export interface Cidr { addr: number; len: number; text: string }

export interface Namespace {
  name: string;
  forwarding: boolean;
  /** Absent for the implicit `host`. */
  range?: Range;
  nameRange?: Range;
}

export interface Device {
  key: DevKey;
  name: string;
  ns: string;
  kind: DeviceKind;
  addrs: Cidr[];
  ifindex?: number;
  mac?: string;
  /** The other end of a veth or netkit pair. */
  peer?: DevKey;
  /** For netkit: which end this is. */
  netkitEnd?: 'primary' | 'peer';
  netkitMode?: 'l2' | 'l3';
  /** The NIC at the other end of a `wire`. */
  wire?: DevKey;
  /** The bridge this device is enslaved to. */
  master?: DevKey;
  /** For bridges: the enslaved devices, in declaration order. */
  ports: DevKey[];
  /** The whole statement that declared it, and the name token. */
  range: Range;
  nameRange: Range;
}

export interface Route {
  ns: string;
  /** null = default. */
  dest: Cidr | null;
  destText: string;
  via?: number;
  viaText?: string;
  dev?: DevKey;
  range: Range;
}

export interface Attachment {
  hook: Hook;
  dev: DevKey;
  prog: string;
  /** As written (relative to the topology file), and resolved to an absolute path. */
  file?: string;
  fileAbs?: string;
  redirectTo?: DevKey;
  priority?: number;
  /** Declaration order, the tie-breaker after priority. */
  order: number;
  range: Range;
  hookRange: Range;
  devRange: Range;
  progRange: Range;
}

export type Endpoint =
  | { kind: 'ns'; ns: string; text: string }
  | { kind: 'ip'; ip: number; text: string }
  | { kind: 'dev'; dev: DevKey; text: string };

export interface PathSpec {
  from: Endpoint;
  to: Endpoint;
  proto: { kind: 'icmp' } | { kind: 'udp' | 'tcp'; port: number };
  range: Range;
}

export type MapOperand =
  | { kind: 'ip'; ip: number; text: string }
  | { kind: 'dev'; dev: DevKey; text: string }
  | { kind: 'number'; value: number; text: string };

export interface MapFill {
  name: string;
  file?: string;
  fileAbs?: string;
  key: MapOperand;
  value: MapOperand;
  range: Range;
}

/** A name as written in the file, for go-to-definition, references and rename. */
export interface NameRef {
  kind: 'device' | 'namespace' | 'program';
  /** DevKey for devices, namespace name, program name. */
  target: string;
  range: Range;
  /** True where the name is declared. */
  declaration: boolean;
}

export interface Topology {
  file: string;
  namespaces: Map<string, Namespace>;
  devices: Map<DevKey, Device>;
  routes: Route[];
  attachments: Attachment[];
  paths: PathSpec[];
  maps: MapFill[];
  refs: NameRef[];
}

export interface ParseResult {
  topology: Topology;
  diagnostics: Diagnostic[];
}

export const HOST_NS = 'host';
