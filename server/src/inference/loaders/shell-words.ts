// Splits shell text into simple commands of words, the way sh would before expansion:
// quotes removed, `\`-newline continuations joined, comments and redirections dropped,
// `;` `&&` `||` `|` and newlines separating commands. Expansions ($X, ${X}, $(...), make's
// $(X), just's {{x}}) stay as written and make a word non-literal; command substitutions
// and `sh -c '...'` strings are scanned as commands of their own.

export type Dialect = 'sh' | 'make' | 'just';

export interface Word {
  /** Quotes removed; expansions kept as written. */
  value: string;
  /** The text as written. */
  raw: string;
  /** Source offsets. */
  start: number;
  end: number;
  /** True when nothing in the word expands. */
  literal: boolean;
  /** Set when the whole word is one variable reference ($DEV, "${DEV}", $(DEV) in make, {{dev}}). */
  varName?: string;
}

/** Text to tokenize; `map[i]` is the source offset of text[i] (length + 1), else `offset + i`. */
export interface Segment {
  text: string;
  offset?: number;
  map?: number[];
}

const SEPARATORS = new Set([';', '&', '|', '(', ')']);

interface Partial {
  start: number;
  value: string;
  literal: boolean;
  refs: number;
  refName?: string;
  plain: number; // characters outside references
}

export function shellCommands(seg: Segment, dialect: Dialect): Word[][] {
  return new Tokenizer(seg, dialect).run();
}

class Tokenizer {
  private readonly text: string;
  private readonly commands: Word[][] = [];

  constructor(private readonly seg: Segment, private readonly dialect: Dialect) {
    this.text = seg.text;
  }

  run(): Word[][] {
    this.scan(0, this.text.length);
    return this.commands.filter((c) => c.length > 0);
  }

  private src(i: number): number {
    return this.seg.map ? this.seg.map[Math.min(i, this.seg.map.length - 1)] : (this.seg.offset ?? 0) + i;
  }

  private scan(from: number, to: number): void {
    const t = this.text;
    let words: Word[] = [];
    let cur: Partial | null = null;
    let discardNext = false;

    const start = (i: number): Partial => {
      if (!cur) cur = { start: i, value: '', literal: true, refs: 0, plain: 0 };
      return cur;
    };
    const endWord = (i: number) => {
      if (!cur) return;
      const w: Word = {
        value: cur.value,
        raw: t.slice(cur.start, i),
        start: this.src(cur.start),
        end: this.src(i),
        literal: cur.literal,
      };
      if (cur.refs === 1 && cur.plain === 0 && cur.refName) w.varName = cur.refName;
      cur = null;
      if (discardNext) { discardNext = false; return; }
      words.push(w);
    };
    const endCommand = () => {
      if (words.length) this.commands.push(words);
      words = [];
      discardNext = false;
    };

    let i = from;
    while (i < to) {
      const c = t[i];
      if (c === '\\') {
        if (t[i + 1] === '\n') { i += 2; continue; }
        if (t[i + 1] === '\r' && t[i + 2] === '\n') { i += 3; continue; }
        const p = start(i);
        if (i + 1 < to) { p.value += t[i + 1]; p.plain++; }
        i += 2;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') { endWord(i); i++; continue; }
      if (c === '\n') { endWord(i); endCommand(); i++; continue; }
      if (c === '#' && !cur) {
        while (i < to && t[i] !== '\n') i++;
        continue;
      }
      if (SEPARATORS.has(c)) {
        // `2>&1` is a redirection, not a background `&`
        if (c === '&' && (t[i - 1] === '>' || t[i - 1] === '<')) { i++; continue; }
        endWord(i);
        endCommand();
        i++;
        continue;
      }
      if (c === '<' || c === '>') {
        // `2>/dev/null`: the fd number belongs to the redirection
        const p = cur as Partial | null;
        if (p && p.literal && /^\d+$/.test(p.value)) cur = null;
        else endWord(i);
        while (i < to && /[<>&|-]/.test(t[i])) {
          if (t[i] === '&' && /\s/.test(t[i + 1] ?? ' ')) break;
          i++;
        }
        if (t[i] === '(') {
          // process substitution <(cmd)
          const close = this.matchShell(i, to);
          this.scan(i + 1, close);
          i = close + 1;
          continue;
        }
        while (i < to && (t[i] === ' ' || t[i] === '\t')) i++;
        discardNext = true;
        continue;
      }
      if (c === "'") {
        const p = start(i);
        const close = t.indexOf("'", i + 1);
        const e = close < 0 || close > to ? to : close;
        p.value += t.slice(i + 1, e);
        p.plain += e - i - 1;
        if (this.runsShellString(words)) this.scan(i + 1, e);
        i = e + 1;
        continue;
      }
      if (c === '"') {
        const p = start(i);
        const close = this.matchDouble(i, to);
        const subShell = this.runsShellString(words);
        let k = i + 1;
        while (k < close) {
          const d = t[k];
          if (d === '\\' && k + 1 < close && '$`"\\\n'.includes(t[k + 1])) {
            if (t[k + 1] !== '\n') { p.value += t[k + 1]; p.plain++; }
            k += 2;
            continue;
          }
          if (d === '$' || d === '`') {
            k = this.expansion(k, close, p);
            continue;
          }
          if (this.dialect === 'just' && t.startsWith('{{', k)) {
            k = this.justRef(k, close, p);
            continue;
          }
          p.value += d;
          p.plain++;
          k++;
        }
        if (subShell) this.scan(i + 1, close);
        i = close + 1;
        continue;
      }
      if (c === '$' || c === '`') {
        i = this.expansion(i, to, start(i));
        continue;
      }
      if (this.dialect === 'just' && t.startsWith('{{', i)) {
        i = this.justRef(i, to, start(i));
        continue;
      }
      const p = start(i);
      p.value += c;
      p.plain++;
      i++;
    }
    endWord(to);
    endCommand();
  }

  /** `sh -c '...'`, `bash -c "..."`, `eval "..."`: the string is a script of its own. */
  private runsShellString(words: Word[]): boolean {
    const last = words[words.length - 1];
    return !!last && (last.value === '-c' || last.value === 'eval');
  }

  /** Handles `$...` or a backtick at `i`; returns the index after it. */
  private expansion(i: number, to: number, p: Partial): number {
    const t = this.text;
    if (t[i] === '`') {
      let k = i + 1;
      while (k < to && t[k] !== '`') k += t[k] === '\\' ? 2 : 1;
      this.scan(i + 1, Math.min(k, to));
      p.value += t.slice(i, Math.min(k + 1, to));
      p.literal = false;
      p.refs += 2; // a substitution is never a plain variable
      return k + 1;
    }
    const n = t[i + 1];
    if (this.dialect === 'make' && n === '$') {
      // make's `$$` is a literal dollar handed to the shell
      p.value += '$';
      p.literal = false;
      p.refs += 2;
      return i + 2;
    }
    if (n === '(') {
      const close = this.matchShell(i + 1, to);
      const inner = t.slice(i + 2, close);
      if (this.dialect === 'make' && /^\s*[A-Za-z_][\w.-]*\s*$/.test(inner)) {
        p.refName = inner.trim();
        p.refs++;
      } else {
        p.refs += 2;
        // make's $(shell cmd) and sh's $(cmd) both run commands
        const sh = this.dialect === 'make' ? /^\s*shell\s+/.exec(inner) : null;
        if (this.dialect !== 'make' || sh) this.scan(i + 2 + (sh ? sh[0].length : 0), close);
      }
      p.value += t.slice(i, Math.min(close + 1, to));
      p.literal = false;
      return close + 1;
    }
    if (n === '{') {
      const close = this.matchShell(i + 1, to);
      const inner = t.slice(i + 2, close);
      if (/^[A-Za-z_]\w*$/.test(inner)) { p.refName = inner; p.refs++; } else p.refs += 2;
      p.value += t.slice(i, Math.min(close + 1, to));
      p.literal = false;
      return close + 1;
    }
    if (n === "'" && this.dialect === 'sh') {
      // $'...' ANSI-C quoting: literal text
      const close = t.indexOf("'", i + 2);
      const e = close < 0 || close > to ? to : close;
      p.value += t.slice(i + 2, e);
      p.plain += e - i - 2;
      return e + 1;
    }
    const m = this.dialect === 'make' ? /^[A-Za-z_@<^*?%+|]/.exec(t.slice(i + 1, i + 2)) : /^([A-Za-z_]\w*|[0-9@*#?$!-])/.exec(t.slice(i + 1, i + 64));
    if (!m) {
      p.value += '$';
      p.plain++;
      return i + 1;
    }
    p.value += '$' + m[0];
    p.literal = false;
    if (/^[A-Za-z_]/.test(m[0])) { p.refName = m[0]; p.refs++; } else p.refs += 2;
    return i + 1 + m[0].length;
  }

  private justRef(i: number, to: number, p: Partial): number {
    const t = this.text;
    const close = t.indexOf('}}', i + 2);
    const e = close < 0 || close > to ? to : close + 2;
    const inner = t.slice(i + 2, e - 2).trim();
    if (/^[A-Za-z_][\w-]*$/.test(inner)) { p.refName = inner; p.refs++; } else p.refs += 2;
    p.value += t.slice(i, e);
    p.literal = false;
    return e;
  }

  /** Closing `"` of a double-quoted string starting at `i`. */
  private matchDouble(i: number, to: number): number {
    const t = this.text;
    let k = i + 1;
    while (k < to) {
      const c = t[k];
      if (c === '\\') { k += 2; continue; }
      if (c === '"') return k;
      if (c === '$' && (t[k + 1] === '(' || t[k + 1] === '{')) { k = this.matchShell(k + 1, to) + 1; continue; }
      if (c === '`') { k++; while (k < to && t[k] !== '`') k += t[k] === '\\' ? 2 : 1; k++; continue; }
      k++;
    }
    return to;
  }

  /** Closing bracket for `(` or `{` at `open`, skipping quotes; `to` when unbalanced. */
  private matchShell(open: number, to: number): number {
    const t = this.text;
    const o = t[open];
    const cl = o === '(' ? ')' : '}';
    let depth = 0;
    let k = open;
    while (k < to) {
      const c = t[k];
      if (c === '\\') { k += 2; continue; }
      if (c === "'" && o === '(') {
        const e = t.indexOf("'", k + 1);
        k = e < 0 ? to : e + 1;
        continue;
      }
      if (c === '"') { k = this.matchDouble(k, to) + 1; continue; }
      if (c === o) depth++;
      else if (c === cl) {
        depth--;
        if (depth === 0) return k;
      }
      k++;
    }
    return to;
  }
}
