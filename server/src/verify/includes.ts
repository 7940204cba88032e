// The include folders a BPF C file needs, found without configuration: the target's multiarch
// headers, libbpf's (in /usr/include), the workspace's include folders, and a vmlinux.h made
// from the running kernel's BTF when the file includes one and the workspace has none.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError, type Runner } from '../lab/exec';
import { multiarchInclude } from '../lab/programs';

let multiarch: string | undefined;

/** `#include "x.h"` / `<x/y.h>` names of a source text. */
export function includedHeaders(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm)) out.push(m[1]);
  return out;
}

const SKIP = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);

/** Every file path under root (bounded: depth 6, 20 000 entries). */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || out.length > 20_000) return;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(root, 0);
  return out;
}

export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'datapath-lens');
}

/** `-I` folders for `source` (its own folder is clang's default for quoted includes). */
export function includeFolders(source: string, text: string, root: string, cacheDir: string, run: Runner): string[] {
  multiarch ??= multiarchInclude();
  const dirs: string[] = [multiarch];
  const files = root ? listFiles(root) : [];
  for (const f of files) {
    const d = path.dirname(f);
    if (path.basename(d) === 'include' && f.endsWith('.h') && !dirs.includes(d)) dirs.push(d);
  }
  const sys = ['/usr/include', multiarch, ...dirs];
  let needVmlinux = false;
  for (const h of includedHeaders(text)) {
    if (fs.existsSync(path.join(path.dirname(source), h)) || sys.some((d) => fs.existsSync(path.join(d, h)))) continue;
    const rel = path.sep + h.split('/').join(path.sep);
    const hit = files.find((f) => f.endsWith(rel));
    if (hit) { const d = hit.slice(0, hit.length - rel.length); if (!dirs.includes(d)) dirs.push(d); continue; }
    if (path.basename(h) === 'vmlinux.h') needVmlinux = true;
  }
  if (needVmlinux) dirs.push(vmlinuxDir(cacheDir, run));
  return dirs;
}

/** A folder holding vmlinux.h for the running kernel (made once per kernel release). */
export function vmlinuxDir(cacheDir: string, run: Runner): string {
  const dir = path.join(cacheDir, `vmlinux-${os.release()}`);
  const file = path.join(dir, 'vmlinux.h');
  if (fs.existsSync(file)) return dir;
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) throw new LabError('the source includes vmlinux.h, the workspace has none, and this kernel has no BTF (/sys/kernel/btf/vmlinux) to make one from');
  const r = run({ argv: ['bpftool', 'btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], timeoutMs: 60_000 });
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, r.stdout);
  fs.renameSync(tmp, file);
  return dir;
}
