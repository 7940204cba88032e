// `datapath-lens import [--netns NAME ...] [--all-netns] [--prefix P] [--from-dump DIR]
// [--source FILE.c ...] [-o FILE.topo]`: this machine's (or a dump's) network as a topology.
import * as path from 'node:path';
import { UsageError, parseArgs } from '../cli/args';
import { realRunner, type Runner } from '../lab/exec';
import { importTopology, writeAtomically } from './core';
import { DUMP_COMMAND } from './dump-layout';
import { ImportError } from './errors';

export const IMPORT_HELP = `Usage: datapath-lens import [--netns NAME ...] [--all-netns] [--prefix P] [--from-dump DIR]
                            [--source FILE.c ...] [-o FILE.topo]

Reads the network state (namespaces, devices, addresses, veth/netkit pairs, bridges, main-table
routes, ip_forward, tc/tcx/XDP programs) and writes it as a topology file (stdout without -o).
  --netns NAME     add this named namespace to the root one (repeatable)
  --all-netns      the root namespace and every "ip netns list" namespace
  --prefix P       only the namespaces named P-*, named back without "P-" (P-host is host): a lab
  --from-dump DIR  read a dump made on another machine instead of this one
  --source FILE.c  C files of the programs: names the kernel truncated to 15 characters map back
                   to their functions, and attach lines get file "..." (repeatable)
  -o FILE.topo     write there (through a temporary file, only when everything was read)

A dump: DIR/root/ and DIR/netns/<name>/, each holding link.json (ip -j -d link show), addr.json
(ip -j addr), route.json (ip -j route), netns-list-id.json (ip -j netns list-id), bpftool-net.json
(bpftool -j net show), ip_forward, and tc-<dev>-ingress.json / tc-<dev>-egress.json
(tc -j filter show dev <dev> ingress|egress). Make one on a node (as root) with:

  ${DUMP_COMMAND}`;

export interface ImportDeps { run?: Runner; out?: (s: string) => void; err?: (s: string) => void }

export async function importCommand(argv: string[], deps: ImportDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), ['netns', 'prefix', 'from-dump', 'source', 'output']);
  if (args.flags.has('help') || argv.includes('-h')) { out(IMPORT_HELP + '\n'); return 0; }
  const unknown = [...args.flags].filter((f) => f !== 'all-netns');
  if (unknown.length) throw new UsageError(`import: unknown option --${unknown[0]}`);
  if (args.positional.length) throw new UsageError(`import takes no file name (use -o FILE.topo), found "${args.positional[0]}"`);
  const output = args.options.get('output')?.[0];
  const one = (k: string) => { const v = args.options.get(k); if (v && v.length > 1) throw new UsageError(`--${k} is given once`); return v?.[0]; };
  try {
    const r = importTopology({
      netns: args.options.get('netns'), allNetns: args.flags.has('all-netns'), prefix: one('prefix'), fromDump: one('from-dump'),
      sources: args.options.get('source'), outDir: output ? path.dirname(path.resolve(output)) : process.cwd(), run: deps.run ?? realRunner,
    });
    if (output) {
      writeAtomically(path.resolve(output), r.text);
      err(`datapath-lens import: wrote ${output} (${r.namespaces} namespace(s))\n`);
    } else out(r.text);
    for (const u of r.unreadable) err(`datapath-lens import: could not read ${u}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ImportError) { err(`datapath-lens import: ${e.message}\n`); return 2; }
    throw e;
  }
}
