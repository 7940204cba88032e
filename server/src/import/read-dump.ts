// A dump folder (dump-layout.ts) as raw namespaces.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NETNS_DIR, ROOT_DIR } from './dump-layout';
import { ImportError } from './errors';
import type { RawMachine, RawNamespace } from './raw';

function nsFromDir(name: string, dir: string): RawNamespace {
  return {
    name,
    read: (file) => {
      try {
        return fs.readFileSync(path.join(dir, file), 'utf8');
      } catch {
        return undefined;
      }
    },
    where: (file) => path.join(dir, file),
    unreadable: [],
  };
}

/** `only`: the named namespaces to take (undefined: all); `root`: whether to take the root one. */
export function readDump(dir: string, select: (name: string) => boolean): RawMachine {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new ImportError(`${dir}: no such dump folder`);
  const out: RawNamespace[] = [];
  const root = path.join(dir, ROOT_DIR);
  const netns = path.join(dir, NETNS_DIR);
  const hasRoot = fs.existsSync(root);
  const names = fs.existsSync(netns) ? fs.readdirSync(netns).filter((n) => fs.statSync(path.join(netns, n)).isDirectory()).sort() : [];
  if (!hasRoot && !names.length) throw new ImportError(`${dir}: not a dump: neither ${ROOT_DIR}/ (the root namespace) nor ${NETNS_DIR}/<name>/ folders are there`);
  if (hasRoot && select('')) out.push(nsFromDir('', root));
  for (const n of names) if (select(n)) out.push(nsFromDir(n, path.join(netns, n)));
  return { source: `dump ${path.basename(path.resolve(dir))}`, namespaces: out };
}

/** The namespace names a dump holds (for --prefix / --all-netns selection). */
export function dumpNamespaces(dir: string): string[] {
  const netns = path.join(dir, NETNS_DIR);
  return fs.existsSync(netns) ? fs.readdirSync(netns).sort() : [];
}
