// Everything the core knows about one workspace: topology files, eBPF C files, loader files,
// and what follows from them together (placements, effects, paths, diagnostics). The CLI
// fills it once; the language server keeps it current file by file. Results are cached
// until a file they depend on changes.
import * as path from 'node:path';
import { pathDiagnostics } from '../datapath/verdict-diagnostics';
import type { PathResult } from '../datapath/path';
import { Walker } from '../datapath/walk';
import { CDocument, type CParser } from '../ebpf/analyze';
import type { Attachment, Diagnostic, ParseResult, Topology } from '../topology/model';
import { parseTopology } from '../topology/parse';
import { closest } from '../topology/suggest';
import { AnalysisEffects } from './effects';
import { mapDecls } from './map-decls';
import { toFileModel } from './from-analysis';
import { evidenceMatchesProgram, objectMatchesSource, scanLoaderFile, type LoaderEvidence } from './loaders';
import { nameEvidence } from './names';
import { place, type Placement, type ProgramFacts } from './placement';
import { loaderAttachMismatches, placementDiagnostics, topologyAttachMismatches } from './program-diagnostics';
import type { CFileModel, ProgramModel } from './program';

/** Reads a file the workspace needs but was not given (a header, an attached C file). */
export type FileReader = (file: string) => string | undefined;

export interface PlacedProgram { model: ProgramModel; placement: Placement }

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;

/** A C file: its document, its model (dropped on change), and the local headers it includes. */
interface CEntry { doc: CDocument; model?: CFileModel; headers: string[]; includes?: string }

export class Workspace {
  private readonly topos = new Map<string, { text: string; parsed: ParseResult }>();
  private readonly cdocs = new Map<string, CEntry>();
  private readonly loaders = new Map<string, LoaderEvidence[]>();
  /**
   * Bumped whenever what places programs changes (topologies, loaders, the set of C files):
   * a program model's placement and diagnostics are reused while it stays the same.
   */
  private contextVersion = 0;
  private readonly perProgram = new WeakMap<ProgramModel, { version: number; placement: Placement; diagnostics?: Diagnostic[] }>();
  /** Per loader evidence, the C files it most likely means; dropped with `derived`. */
  private nearest = new WeakMap<LoaderEvidence, Set<string>>();
  private derived?: { placed: PlacedProgram[]; diagnostics: Diagnostic[]; paths: Map<string, PathResult[]> };

  constructor(
    private readonly parser: CParser,
    private readonly read: FileReader,
    private sectionMacros: string[] = [],
  ) {}

  dispose(): void {
    for (const c of this.cdocs.values()) c.doc.dispose();
    this.cdocs.clear();
  }

  setSectionMacros(names: string[]): void {
    this.sectionMacros = names;
    for (const c of this.cdocs.values()) { c.doc.setSectionMacros(names); c.model = undefined; }
    this.derived = undefined;
  }

  setTopology(file: string, text: string): ParseResult {
    const old = this.topos.get(file);
    if (old && old.text === text) return old.parsed;
    const parsed = parseTopology(text, file);
    this.topos.set(file, { text, parsed });
    this.derived = undefined;
    this.contextVersion++;
    // Attached programs' files are part of the picture even outside the scanned folders.
    for (const a of parsed.topology.attachments) if (a.fileAbs && !this.cdocs.has(a.fileAbs)) this.loadC(a.fileAbs);
    return parsed;
  }

  setCFile(file: string, text: string): void {
    const c = this.cdocs.get(file);
    if (c) {
      if (c.doc.text === text) return;
      c.doc.setText(text);
      c.model = undefined;
      this.refreshHeaders(file, c);
    } else {
      const doc = new CDocument(this.parser, file, text, { sectionMacros: this.sectionMacros });
      const entry: CEntry = { doc, headers: [] };
      this.cdocs.set(file, entry);
      this.refreshHeaders(file, entry);
      // A new C file can change which source a loader's object names.
      this.contextVersion++;
    }
    this.derived = undefined;
  }

  /** An edit in the language server: LSP content changes applied to the kept tree. */
  editCFile(file: string, changes: Parameters<CDocument['applyChanges']>[0]): void {
    const c = this.cdocs.get(file);
    if (!c) return;
    c.doc.applyChanges(changes);
    c.model = undefined;
    // Headers are read again only when the edit changed the file's own #include lines; a
    // header changed on disk comes through headerChanged.
    if (includeKey(c.doc.text) !== c.includes) this.refreshHeaders(file, c);
    this.derived = undefined;
  }

  /** A file changed on disk: every C file that includes it (directly or not) reads its headers again. */
  headerChanged(file: string): void {
    for (const [f, c] of this.cdocs) {
      if (!c.headers.includes(file)) continue;
      this.refreshHeaders(f, c);
      c.model = undefined;
      this.derived = undefined;
    }
  }

  setLoader(file: string, text: string): void {
    this.loaders.set(file, scanLoaderFile(file, text));
    this.derived = undefined;
    this.contextVersion++;
  }

  remove(file: string): void {
    this.topos.delete(file);
    this.cdocs.get(file)?.doc.dispose();
    this.cdocs.delete(file);
    this.loaders.delete(file);
    this.derived = undefined;
    this.contextVersion++;
  }

  /** How many files the workspace holds, of every kind. */
  size(): number {
    return this.topos.size + this.cdocs.size + this.loaders.size;
  }

  has(file: string): boolean {
    return this.topos.has(file) || this.cdocs.has(file) || this.loaders.has(file);
  }

  private loadC(file: string): void {
    const text = this.read(file);
    if (text !== undefined) this.setCFile(file, text);
  }

  /** Local headers, found transitively next to the file that includes them. */
  private refreshHeaders(file: string, entry: CEntry): void {
    entry.includes = includeKey(entry.doc.text);
    const headers = new Map<string, string>();
    const queue: Array<[string, string]> = [[file, entry.doc.text]];
    while (queue.length && headers.size < 64) {
      const [from, text] = queue.shift()!;
      for (const m of text.matchAll(INCLUDE)) {
        const h = path.resolve(path.dirname(from), m[1]);
        if (headers.has(h) || h === file) continue;
        const t = this.read(h);
        if (t === undefined) continue;
        headers.set(h, t);
        queue.push([h, t]);
      }
    }
    entry.headers = [...headers.keys()];
    entry.doc.setHeaders(headers);
  }

  topology(file: string): ParseResult | undefined {
    return this.topos.get(file)?.parsed;
  }

  topologies(): ParseResult[] {
    return [...this.topos.values()].map((t) => t.parsed);
  }

  cFile(file: string): CFileModel | undefined {
    const c = this.cdocs.get(file);
    if (!c) return undefined;
    if (!c.model) c.model = toFileModel(c.doc.analysis());
    return c.model;
  }

  cFiles(): string[] {
    return [...this.cdocs.keys()];
  }

  loaderEvidence(): LoaderEvidence[] {
    return [...this.loaders.values()].flat();
  }

  /** The program an attach line names: in its `file`, else anywhere in the workspace. */
  programFor(a: Attachment): ProgramModel | undefined {
    if (a.fileAbs) return this.cFile(a.fileAbs)?.programs.find((p) => p.name === a.prog);
    for (const f of this.cdocs.keys()) {
      const p = this.cFile(f)?.programs.find((q) => q.name === a.prog);
      if (p) return p;
    }
    return undefined;
  }

  /** Every program with where it runs, given this workspace's topologies and loaders. */
  placed(): PlacedProgram[] {
    return this.compute().placed;
  }

  private placeAll(): PlacedProgram[] {
    const topos = this.topologies().map((t) => t.topology);
    const loaders = this.loaderEvidence();
    const out: PlacedProgram[] = [];
    const matchesLoader = (ev: LoaderEvidence, p: ProgramFacts) => this.loaderMatches(ev, p);
    for (const f of this.cdocs.keys()) {
      for (const model of this.cFile(f)?.programs ?? []) {
        const cached = this.perProgram.get(model);
        if (cached && cached.version === this.contextVersion) { out.push({ model, placement: cached.placement }); continue; }
        const placement = place(model, { topologies: topos, loaders, matchesLoader, nameEvidence });
        this.perProgram.set(model, { version: this.contextVersion, placement });
        out.push({ model, placement });
      }
    }
    return out;
  }

  /**
   * A loader names an object by file name only; when several C files of the workspace could
   * have built it, the ones nearest the loader (fewest folders apart) are meant.
   */
  loaderMatches(ev: LoaderEvidence, p: ProgramFacts): boolean {
    if (!evidenceMatchesProgram(ev, p)) return false;
    if (!ev.object) return true;
    return this.nearestSources(ev).has(p.file);
  }

  /** The C files nearest the loader that could have built its object (cached per evidence). */
  private nearestSources(ev: LoaderEvidence): Set<string> {
    let s = this.nearest.get(ev);
    if (s) return s;
    const candidates = this.cFiles().filter((f) => objectMatchesSource(ev.object!, f));
    const distance = (f: string) => path.relative(path.dirname(ev.file), path.dirname(f)).split(path.sep).filter((x) => x && x !== '.').length;
    const best = Math.min(...candidates.map(distance));
    s = new Set(candidates.filter((f) => distance(f) === best));
    this.nearest.set(ev, s);
    return s;
  }

  walker(topo: Topology): Walker {
    // The maps each C file declares, read once per walker (map lines that name redirect targets).
    const decls = new Map<string, ReturnType<typeof mapDecls> | undefined>();
    const mapsOf = (f: string) => {
      if (!decls.has(f)) { const t = this.cdocs.get(f)?.doc.text; decls.set(f, t === undefined ? undefined : mapDecls(t)); }
      return decls.get(f);
    };
    return new Walker(topo, new AnalysisEffects(topo, (a) => this.programFor(a), mapsOf));
  }

  paths(file: string): PathResult[] {
    const t = this.topos.get(file);
    if (!t) return [];
    this.compute();
    let r = this.derived!.paths.get(file);
    if (!r) {
      const w = this.walker(t.parsed.topology);
      r = t.parsed.topology.paths.map((p) => w.walk(p));
      this.derived!.paths.set(file, r);
    }
    return r;
  }

  /** Every diagnostic of every file, deduplicated, in file order. */
  diagnostics(): Diagnostic[] {
    return this.compute().diagnostics;
  }

  private compute() {
    if (this.derived) return this.derived;
    this.nearest = new WeakMap();
    const placed = this.placeAll();
    this.derived = { placed, diagnostics: [], paths: new Map() };
    const diags: Diagnostic[] = [];
    for (const [file, t] of this.topos) {
      diags.push(...t.parsed.diagnostics, ...this.unknownPrograms(t.parsed.topology));
      diags.push(...pathDiagnostics(this.paths(file), file));
    }
    const loaders = this.loaderEvidence();
    for (const f of this.cdocs.keys()) diags.push(...(this.cFile(f)?.diagnostics ?? []));
    for (const { model, placement } of placed) {
      const cached = this.perProgram.get(model);
      if (cached?.diagnostics && cached.version === this.contextVersion && cached.placement === placement) { diags.push(...cached.diagnostics); continue; }
      const mine = [...placementDiagnostics(placement, model), ...topologyAttachMismatches(model, placement)];
      if (placement.confidence !== 'declared') mine.push(...loaderAttachMismatches(model, loaders, (ev) => this.loaderMatches(ev, model)));
      if (cached && cached.placement === placement) cached.diagnostics = mine;
      diags.push(...mine);
    }
    const seen = new Set<string>();
    this.derived.diagnostics = diags.filter((d) => {
      const k = `${d.file}|${d.range.start.line}:${d.range.start.character}|${d.code}|${d.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return this.derived;
  }

  /** topo-unknown-program: an attach line whose program no analysed C file defines. */
  private unknownPrograms(topo: Topology): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const a of topo.attachments) {
      if (this.programFor(a)) continue;
      if (a.fileAbs && !this.cdocs.has(a.fileAbs)) {
        out.push({ file: topo.file, range: a.progRange, severity: 'error', code: 'topo-unknown-program', message: `Cannot read "${a.file}" (resolved to ${a.fileAbs}), so program ${a.prog} is unknown.` });
        continue;
      }
      if (!a.fileAbs && this.cdocs.size === 0) continue;
      const names = a.fileAbs ? (this.cFile(a.fileAbs)?.programs ?? []).map((p) => p.name) : this.cFiles().flatMap((f) => (this.cFile(f)?.programs ?? []).map((p) => p.name));
      const c = closest(a.prog, names);
      out.push({
        file: topo.file, range: a.progRange, severity: 'error', code: 'topo-unknown-program',
        message: `No eBPF program "${a.prog}" ${a.file ? `in ${a.file}` : 'in the workspace\'s eBPF C files'} (a function placed in a section with SEC(...)).${c ? ` Did you mean "${c}"?` : ''}`,
        ...(c ? { fix: { title: `Change to "${c}"`, range: a.progRange, text: c } } : {}),
      });
    }
    return out;
  }
}

/** The file's own #include "..." lines, as one string: what decides which headers it reads. */
function includeKey(text: string): string {
  return [...text.matchAll(INCLUDE)].map((m) => m[1]).join('\n');
}
