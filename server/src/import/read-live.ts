// This machine's network state as raw namespaces: the dump's commands, run now (bounded in time).
import type { Cmd, Runner } from '../lab/exec';
import { parseNetnsList } from '../lab/teardown';
import { FILES } from './dump-layout';
import { ImportError } from './errors';
import type { RawMachine, RawNamespace } from './raw';


export function liveNamespaces(run: Runner): string[] {
  const r = run({ argv: ['ip', 'netns', 'list'], ignoreFailure: true });
  return parseNetnsList(r.stdout);
}

function liveNs(run: Runner, name: string): RawNamespace {
  const ipn = (...a: string[]): string[] => (name ? ['ip', '-n', name, ...a] : ['ip', ...a]);
  const exec = (...a: string[]): string[] => (name ? ['ip', 'netns', 'exec', name, ...a] : a);
  const commands = new Map<string, string[]>([
    [FILES.link, ipn('-j', '-d', 'link', 'show')],
    [FILES.addr, ipn('-j', 'addr')],
    [FILES.route, ipn('-j', 'route')],
    [FILES.nsids, ipn('-j', 'netns', 'list-id')],
    [FILES.bpftool, exec('bpftool', '-j', 'net', 'show')],
    [FILES.bpftoolVersion, exec('bpftool', 'version')],
    [FILES.forward, exec('cat', '/proc/sys/net/ipv4/ip_forward')],
  ]);
  const cache = new Map<string, string | undefined>();
  const ns: RawNamespace = {
    name,
    unreadable: [],
    where: (file) => {
      const argv = commandFor(file);
      return argv ? `"${argv.join(' ')}"` : file;
    },
    read: (file) => {
      if (cache.has(file)) return cache.get(file);
      const argv = commandFor(file);
      let text: string | undefined;
      if (argv) {
        const cmd: Cmd = { argv, ignoreFailure: true, timeoutMs: 15_000 };
        const r = run(cmd);
        if (r.status === 0) text = r.stdout;
        else {
          const why = (r.stderr.trim().split('\n')[0] || `exit ${r.status}`);
          if (file === FILES.link) throw new ImportError(`"${argv.join(' ')}" failed: ${why}`);
          ns.unreadable.push(`${argv.join(' ')}: ${why}`);
          // Optional sources: the output says they could not be read.
          text = file === FILES.bpftool ? '' : file === FILES.forward ? '' : file.startsWith('tc-') ? '' : file === FILES.bpftoolVersion ? '' : undefined;
        }
      }
      cache.set(file, text);
      return text;
    },
  };
  function commandFor(file: string): string[] | undefined {
    const fixed = commands.get(file);
    if (fixed) return fixed;
    const m = /^tc-(.+)-(ingress|egress)\.json$/.exec(file);
    if (m) return name ? ['tc', '-n', name, '-j', 'filter', 'show', 'dev', m[1], m[2]] : ['tc', '-j', 'filter', 'show', 'dev', m[1], m[2]];
    return undefined;
  }
  return ns;
}

export function readLive(run: Runner, names: string[], withRoot: boolean): RawMachine {
  const out: RawNamespace[] = [];
  if (withRoot) out.push(liveNs(run, ''));
  for (const n of [...names].sort()) out.push(liveNs(run, n));
  return { source: 'this machine', namespaces: out };
}
