// Where a loader program gives a variable or a struct field its value, and which of those
// values an attach call sees. Textual data flow: the last assignment before the call in
// the same function wins; else the first after it there (a hook set up after it is
// declared, or in a loop); else the same rule over the whole file (a helper function).

import { blockOf, escapeRe, skipQuoted, splitArgs, topLevelBlocks, type CommentStyle } from './text';

/** Shared by every caller of `Assignments.all` (cached): read only. */
export interface Assign {
  /** Offset of the assignment (or declaration). */
  readonly at: number;
  readonly op: string;
  readonly rhs: string;
  readonly rhsStart: number;
}

export class Assignments {
  private readonly blocks: Array<[number, number]>;
  readonly macros = new Map<string, string>();
  private readonly byPath = new Map<string, readonly Assign[]>();

  /** `code` is comment-blanked. */
  constructor(readonly code: string, readonly style: CommentStyle) {
    // Python scopes by indentation, not braces: treat its file as one scope.
    this.blocks = style === 'python' ? [] : topLevelBlocks(code, style);
    if (style === 'c') {
      for (const m of code.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+(.+?)[ \t]*$/gm)) this.macros.set(m[1], m[2]);
    }
  }

  /**
   * Every assignment to `path` (`hook`, `hook.attach_point`; `.` also matches `->`). Cached
   * per path (the code never changes): `follow` asks for the same paths again and again.
   */
  all(path: string): readonly Assign[] {
    let out = this.byPath.get(path);
    if (!out) {
      out = this.scan(path);
      this.byPath.set(path, out);
    }
    return out;
  }

  private scan(path: string): readonly Assign[] {
    const body = path.split('.').map((p) => escapeRe(p.trim())).join('\\s*(?:\\.|->)\\s*');
    const out: Assign[] = [];
    const ops = '(\\|=|&=|\\+=|:=|=)(?!=)';
    const res = [new RegExp(`(?<![\\w.>])${body}\\s*${ops}`, 'g')];
    if (this.style === 'go') {
      // `iface, err := ...`, `var x T = ...`
      res.push(new RegExp(`(?<![\\w.>])${body}\\s*(?:,\\s*[\\w.]+\\s*)+(:=|=)(?!=)`, 'g'));
      res.push(new RegExp(`\\b(?:var|const)\\s+${body}\\s+[\\w.*\\[\\]]+\\s*(=)(?!=)`, 'g'));
    }
    for (const re of res) {
      for (const m of this.code.matchAll(re)) {
        const at = m.index ?? 0;
        if (this.style === 'python' && /[(,]\s*$/.test(this.code.slice(Math.max(0, at - 40), at))) continue; // keyword argument
        if (this.style === 'go' && m[1] === '=' && /[!<>:=]$/.test(this.code.slice(at, at + m[0].length - 1).trimEnd())) continue;
        let rhsStart = at + m[0].length;
        while (rhsStart < this.code.length && (this.code[rhsStart] === ' ' || this.code[rhsStart] === '\t')) rhsStart++;
        const end = this.exprEnd(rhsStart);
        out.push({ at, op: m[1], rhs: this.code.slice(rhsStart, end).trim(), rhsStart });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /**
   * The assignment an access at `at` sees (see the file comment). When `name` (the root
   * variable) is a parameter or local of the function around `at`, other functions'
   * variables of that name are different variables and do not count.
   */
  pick<T extends { at: number }>(events: T[], at: number, name?: string): T | undefined {
    if (!events.length) return undefined;
    const b = blockOf(this.blocks, at);
    const inBlock = events.filter((e) => blockOf(this.blocks, e.at) === b);
    const local = lastBefore(inBlock, at) ?? inBlock.find((e) => e.at > at);
    if (local || (name && this.isLocal(name, at))) return local;
    return lastBefore(events, at) ?? events.find((e) => e.at > at);
  }

  /** The function whose body holds `at`: its name, parameter names and body. */
  functionAt(at: number): { name: string; params: string[]; body: [number, number]; sigAt: number } | undefined {
    const b = blockOf(this.blocks, at);
    if (b < 0) return undefined;
    const body = this.blocks[b];
    const head = this.code.slice(Math.max(0, body[0] - 600), body[0]);
    let m: RegExpExecArray | null;
    if (this.style === 'go') {
      m = /\bfunc\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(([^)]*)\)[^{;]*$/.exec(head);
      if (!m) return undefined;
      const params = m[2].split(',').map((p) => /^\s*([A-Za-z_]\w*)/.exec(p)?.[1]).filter((x): x is string => !!x);
      return { name: m[1], params, body, sigAt: body[0] - head.length + m.index };
    }
    m = /([A-Za-z_]\w*)\s*\(([^()]*)\)\s*$/.exec(head);
    if (!m || /^(if|for|while|switch|sizeof|return)$/.test(m[1])) return undefined;
    const params = m[2].split(',').map((p) => /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(p)?.[1]).filter((x): x is string => !!x && x !== 'void');
    return { name: m[1], params, body, sigAt: body[0] - head.length + m.index };
  }

  /** A parameter of, or a variable declared in, the function around `at`. */
  isLocal(name: string, at: number): boolean {
    const f = this.functionAt(at);
    if (!f) return false;
    if (f.params.includes(name)) return true;
    const body = this.code.slice(f.body[0], f.body[1]);
    const n = escapeRe(name);
    const decl = this.style === 'go'
      ? new RegExp(`(?:\\bvar\\s+${n}\\b|(?<![\\w.])${n}\\s*(?:,\\s*\\w+\\s*)*:=)`)
      : new RegExp(`(?:[A-Za-z_]\\w*[\\s*]+${n}\\s*(?:=|;|,|\\[|\\))|LIBBPF_OPTS\\s*\\(\\s*\\w+\\s*,\\s*${n}\\b)`);
    return decl.test(body);
  }

  /**
   * When `name` is a parameter of the function around `at`, the matching argument at its
   * call site (only when there is exactly one call), so a helper's argument is followed out.
   */
  callSiteArg(name: string, at: number): { text: string; start: number; at: number } | undefined {
    const f = this.functionAt(at);
    if (!f) return undefined;
    const k = f.params.indexOf(name);
    if (k < 0) return undefined;
    const sites: Array<{ text: string; start: number; at: number }> = [];
    for (const m of this.code.matchAll(new RegExp(`\\b${escapeRe(f.name)}\\s*\\(`, 'g'))) {
      const start = m.index ?? 0;
      if (start === f.sigAt) continue;
      const { args } = splitArgs(this.code, start + m[0].length - 1, this.style);
      if (args[k]) sites.push({ text: args[k].text, start: args[k].start, at: start });
    }
    return sites.length === 1 ? sites[0] : undefined;
  }

  /** `"eth0"`, a macro or a variable set to one: the string, else undefined. */
  stringValue(expr: string, at: number, depth = 0): string | undefined {
    const e = stripParens(expr.trim());
    const q = /^[bBuUrRfF]{0,2}(["'`])([^"'`\\\n]*)\1$/.exec(e);
    if (q) return q[2];
    if (depth > 4 || !/^[A-Za-z_][\w.]*(?:->\w+)*$/.test(e)) return undefined;
    const macro = this.macros.get(e);
    if (macro !== undefined) return this.stringValue(macro, at, depth + 1);
    const next = this.follow(e, at);
    return next ? this.stringValue(next.expr, next.at, depth + 1) : undefined;
  }

  /** Follows a plain identifier (or macro) to the expression it holds. */
  follow(expr: string, at: number): { expr: string; at: number } | undefined {
    const e = stripParens(expr.trim());
    const macro = this.macros.get(e);
    if (macro !== undefined) return { expr: macro, at };
    if (!/^[A-Za-z_]\w*(?:\s*(?:\.|->)\s*\w+)*$/.test(e)) return undefined;
    const root = /^[A-Za-z_]\w*/.exec(e)?.[0] ?? e;
    const a = this.pick(this.all(e).filter((x) => x.op === '=' || x.op === ':='), at, root);
    if (a) return { expr: a.rhs, at: a.at };
    const site = e === root ? this.callSiteArg(e, at) : undefined;
    return site ? { expr: site.text, at: site.at } : undefined;
  }

  /** End of the expression starting at `i`: `;`, a closer or (Go/Python) a newline at depth 0. */
  exprEnd(i: number): number {
    const t = this.code;
    let depth = 0;
    while (i < t.length) {
      const c = t[i];
      if (c === '"' || c === "'" || (c === '`' && this.style === 'go')) { i = skipQuoted(t, i); continue; }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return i;
        depth--;
      } else if (depth === 0 && (c === ';' || c === ',')) return i;
      else if (depth === 0 && c === '\n' && this.style !== 'c') {
        // Go and Python continue a line that ends in an operator or an open call
        const before = t.slice(Math.max(0, i - 3), i).trimEnd();
        if (!/[+|&.=(,\\]$/.test(before)) return i;
      }
      i++;
    }
    return i;
  }
}

function lastBefore<T extends { at: number }>(events: T[], at: number): T | undefined {
  let best: T | undefined;
  for (const e of events) if (e.at < at) best = e;
  return best;
}

/** Drops `&`, casts and redundant outer parentheses: `&(hook)` → `hook`. */
export function stripParens(e: string): string {
  let s = e.trim();
  for (;;) {
    const before = s;
    s = s.replace(/^&\s*/, '');
    const cast = /^\(\s*(?:const\s+)?(?:struct\s+)?[A-Za-z_]\w*(?:\s*\*)*\s*\)\s*(?=[\w(&])/.exec(s);
    if (cast && !/^\(\s*[A-Za-z_]\w*\s*\)\s*\(/.test(s)) s = s.slice(cast[0].length);
    if (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
    if (s === before) return s;
  }
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}
