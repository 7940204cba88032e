// Which code the compiler sees. The analyzed file is walked top-down like the preprocessor
// does: local headers are entered at their #include, #define / #undef change the macro set
// as they come, and #if / #ifdef / #elif / #else pick the branch with the macros defined so
// far (`#ifdef ENABLE_HOST_ROUTING` chooses bpf_redirect_peer over bpf_redirect). Code in a
// branch not taken is hidden from the parse. A name no given text defines is undefined (0 in
// #if): we analyze what we can see, not what a build's -D flags might add.
import { MacroTable, expandMacro, type Directives } from './defines';
import { evaluate } from './expressions';
import type { Span } from './locations';
import type { Value } from './values';

export interface SourceText { file: string; text: string; directives: Directives }

export interface Compilation {
  /** The macros defined at the end of the analyzed file. */
  macros: MacroTable;
  /** Per file: spans the compiler skips (branches not taken) and the directive lines themselves. */
  hidden: Map<string, Span[]>;
}

// Defined by clang -target bpf (and the usual little-endian build host).
const PREDEFINED: Record<string, number> = {
  __BPF__: 1, __bpf__: 1, __clang__: 1, __BYTE_ORDER__: 1234, __ORDER_LITTLE_ENDIAN__: 1234, __ORDER_BIG_ENDIAN__: 4321,
};

interface Group { active: boolean; taken: boolean; parentActive: boolean }

/**
 * Walk `main` (entering given headers at their #include), then any header it never
 * included, and say what is compiled.
 * @param resolve the given header an include name refers to, if any
 */
export function compile(main: SourceText, headers: readonly SourceText[], resolve: (name: string, from: string) => SourceText | undefined): Compilation {
  const macros = new MacroTable();
  const hidden = new Map<string, Span[]>();
  const visited = new Set<string>();

  const walk = (src: SourceText, depth: number): void => {
    if (visited.has(src.file) || depth > 32) return;
    visited.add(src.file);
    const spans: Span[] = [];
    hidden.set(src.file, spans);
    const stack: Group[] = [];
    const active = () => stack.length === 0 || stack[stack.length - 1].active;
    const list = src.directives.list;
    for (let i = 0; i < list.length; i++) {
      const d = list[i];
      spans.push({ start: d.span.start, end: d.span.end });
      switch (d.kind) {
        case 'if': {
          const parentActive = active();
          const cond = parentActive && condition(d.expr, macros);
          stack.push({ active: cond, taken: cond, parentActive });
          break;
        }
        case 'ifdef': case 'ifndef': {
          const parentActive = active();
          const cond = parentActive && (macros.has(d.name) || d.name in PREDEFINED) === (d.kind === 'ifdef');
          stack.push({ active: cond, taken: cond, parentActive });
          break;
        }
        case 'elif': {
          const g = stack[stack.length - 1];
          if (!g) break;
          const cond = g.parentActive && !g.taken && condition(d.expr, macros);
          g.active = cond;
          g.taken ||= cond;
          break;
        }
        case 'else': {
          const g = stack[stack.length - 1];
          if (!g) break;
          g.active = g.parentActive && !g.taken;
          g.taken = true;
          break;
        }
        case 'endif': stack.pop(); break;
        case 'define': if (active()) macros.define(d.def); break;
        case 'undef': if (active()) macros.undefine(d.name); break;
        case 'include':
          if (active() && d.include.local) {
            const h = resolve(d.include.name, src.file);
            if (h) walk(h, depth + 1);
          }
          break;
      }
      // The text up to the next directive is compiled only if every enclosing branch is taken.
      if (!active()) {
        const next = list[i + 1]?.span.start ?? src.text.length;
        if (next > d.span.end) spans.push({ start: d.span.end, end: next });
      }
    }
    spans.sort((a, b) => a.start - b.start);
  };

  walk(main, 0);
  for (const h of headers) walk(h, 0);
  return { macros, hidden };
}

/** The value of an #if / #elif expression; anything we cannot evaluate is false. */
function condition(expr: string, macros: MacroTable): boolean {
  const text = expr.replace(/\bdefined\s*\(\s*([A-Za-z_]\w*)\s*\)|\bdefined\s+([A-Za-z_]\w*)/g, (_m, a?: string, b?: string) => {
    const n = (a ?? b) as string;
    return macros.has(n) || n in PREDEFINED ? ' 1 ' : ' 0 ';
  });
  const v = value(text, macros, 0);
  return v.length > 0 && v.every((x) => x.kind === 'const' && x.value !== 0);
}

function value(text: string, macros: MacroTable, depth: number): Value[] {
  const num = (n: number): Value[] => [{ kind: 'const', value: n, name: null, chain: [], origin: null }];
  return evaluate(text, { start: 0, end: text.length }, {
    ident: (name) => {
      const def = macros.get(name);
      if (def && !def.params && depth < 16) return value(def.body, macros, depth + 1);
      return num(PREDEFINED[name] ?? 0); // an undefined name is 0 in #if
    },
    call: (name, _span, args) => {
      if (!name) return undefined;
      if (name === '__has_include' || name === '__has_include_next') return num(0);
      if (name.startsWith('__has_')) return num(1);
      const def = macros.get(name);
      if (!def?.params || depth >= 16) return num(0);
      return value(expandMacro(def, args.map((a) => text.slice(a.start, a.end))), macros, depth + 1);
    },
    origin: () => null,
  });
}

/** Match an include name to a given header path: exact, a path suffix, or relative to the includer. */
export function headerResolver(headers: readonly SourceText[]): (name: string, from: string) => SourceText | undefined {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '');
  return (name, from) => {
    const n = norm(name);
    const dir = norm(from).split('/').slice(0, -1).join('/');
    const rel = dir ? `${dir}/${n}` : n;
    return headers.find((h) => norm(h.file) === rel)
      ?? headers.find((h) => norm(h.file) === n)
      ?? headers.find((h) => norm(h.file).endsWith(`/${n}`));
  };
}
