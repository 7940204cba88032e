// Evaluates a C expression read from text: integer constant folding (the preprocessor's and
// the compiler's arithmetic), plus pass-through of the values that matter to the datapath
// (a redirect helper's verdict through casts, ternaries and parentheses; packet pointers).
// Identifiers and calls are answered by the caller, which knows variables, macros and the
// results of calls it has already walked.
import type { Origin, Span } from './locations';
import { matchBracket, splitTopLevel, tokenize, type Token } from './tokens';
import { union, type ConstValue, type Value } from './values';

export interface EvalHooks {
  /** A variable, enumerator, macro or const: its values, or undefined when unknown. */
  ident(name: string, span: Span): Value[] | undefined;
  /** A call `name(args)` (name null when the callee is not a plain identifier). */
  call(name: string | null, span: Span, args: Span[]): Value[] | undefined;
  origin(span: Span): Origin | null;
  /** Extra type names (typedefs) for telling `(T)x` casts from parenthesized expressions. */
  isType?(name: string): boolean;
}

/** Functions (usually macros) that are pure byte-order conversions: folded, never helpers. */
export const BYTE_ORDER_FUNCTIONS = new Set([
  'bpf_htons', 'bpf_ntohs', 'bpf_htonl', 'bpf_ntohl', 'htons', 'ntohs', 'htonl', 'ntohl',
  '__bpf_constant_htons', '__bpf_constant_ntohs', '__bpf_constant_htonl', '__bpf_constant_ntohl',
  '__constant_htons', '__constant_ntohs', '__constant_htonl', '__constant_ntohl',
  'bpf_cpu_to_be16', 'bpf_be16_to_cpu', 'bpf_cpu_to_be32', 'bpf_be32_to_cpu',
  '__builtin_bswap16', '__builtin_bswap32',
]);

const TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'bool',
  'struct', 'union', 'enum', 'const', 'volatile',
  '__u8', '__u16', '__u32', '__u64', '__s8', '__s16', '__s32', '__s64',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
  '__be16', '__be32', '__be64', '__le16', '__le32', '__le64', '__wsum', '__sum16',
]);

// Sizes on the BPF target (64-bit), for sizeof in offsets and lengths.
const SIZES: Record<string, number> = {
  char: 1, __u8: 1, __s8: 1, u8: 1, s8: 1, uint8_t: 1, int8_t: 1, _Bool: 1, bool: 1,
  short: 2, __u16: 2, __s16: 2, u16: 2, s16: 2, uint16_t: 2, int16_t: 2, __be16: 2, __le16: 2, __sum16: 2,
  int: 4, unsigned: 4, __u32: 4, __s32: 4, u32: 4, s32: 4, uint32_t: 4, int32_t: 4, __be32: 4, __le32: 4, __wsum: 4, float: 4,
  long: 8, __u64: 8, __s64: 8, u64: 8, s64: 8, uint64_t: 8, int64_t: 8, __be64: 8, __le64: 8, double: 8, size_t: 8,
  'struct ethhdr': 14, 'struct iphdr': 20, 'struct ipv6hdr': 40, 'struct udphdr': 8, 'struct tcphdr': 20,
  'struct icmphdr': 8, 'struct icmp6hdr': 8, 'struct in6_addr': 16, 'struct vlan_hdr': 4, 'struct arphdr': 8,
};

// uapi header layouts (linux/if_ether.h, ip.h, ipv6.h, udp.h, tcp.h) for offsetof().
const OFFSETS: Record<string, Record<string, number>> = {
  ethhdr: { h_dest: 0, h_source: 6, h_proto: 12 },
  iphdr: { tos: 1, tot_len: 2, id: 4, frag_off: 6, ttl: 8, protocol: 9, check: 10, saddr: 12, daddr: 16 },
  ipv6hdr: { payload_len: 4, nexthdr: 6, hop_limit: 7, saddr: 8, daddr: 24 },
  udphdr: { source: 0, dest: 2, len: 4, check: 6 },
  tcphdr: { source: 0, dest: 2, seq: 4, ack_seq: 8, window: 14, check: 16, urg_ptr: 18 },
};

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);

export function evaluate(text: string, span: Span, hooks: EvalHooks): Value[] {
  return evaluateTokens(text, tokenize(text, span.start, span.end), hooks);
}

/** Evaluate tokens [from, to) of an already-tokenized `text`. */
export function evaluateTokens(text: string, toks: readonly Token[], hooks: EvalHooks, from = 0, to = toks.length): Value[] {
  if (to <= from) return [];
  if (to === from + 1) {
    // Most arguments are one name or one number.
    const t = toks[from];
    const span = { start: t.start, end: t.end };
    if (t.kind === 'id') {
      const v = hooks.ident(t.text, span);
      return v && v.length > 0 ? v : [{ kind: 'unknown', text: t.text, origin: hooks.origin(span) }];
    }
    if (t.kind === 'num' || t.kind === 'chr') {
      const n = parseIntLiteral(t.text);
      if (n !== null) return [{ kind: 'const', value: n, name: null, chain: [], origin: hooks.origin(span) }];
    }
  }
  return new Evaluator(text, from === 0 && to === toks.length ? toks : toks.slice(from, to), hooks).comma();
}

/** Parse a C integer literal (suffixes, hex, octal, binary, char constants). */
export function parseIntLiteral(tok: string): number | null {
  if (tok.startsWith("'") || /^[LuU]8?'/.test(tok)) {
    const body = tok.slice(tok.indexOf("'") + 1, -1);
    if (body.length === 1) return body.charCodeAt(0);
    const esc: Record<string, number> = { '\\n': 10, '\\t': 9, '\\r': 13, '\\0': 0, "\\'": 39, '\\\\': 92 };
    if (body in esc) return esc[body];
    if (/^\\x[0-9a-fA-F]+$/.test(body)) return parseInt(body.slice(2), 16);
    if (/^\\[0-7]{1,3}$/.test(body)) return parseInt(body.slice(1), 8);
    return null;
  }
  const t = tok.replace(/[uUlL]+$/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[bB][01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^[1-9][0-9]*$/.test(t)) return parseInt(t, 10);
  return null;
}

/** Apply a C binary operator to two numbers; null where C would not give a number. */
export function foldBinary(op: string, a: number, b: number): number | null {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? null : Math.trunc(a / b);
    case '%': return b === 0 ? null : a % b;
    case '<<': return b < 0 || b > 63 ? null : Number(BigInt.asIntN(64, BigInt(a) << BigInt(b)));
    case '>>': return b < 0 || b > 63 ? null : Number(BigInt(a) >> BigInt(b));
    case '&': return Number(BigInt(a) & BigInt(b));
    case '|': return Number(BigInt(a) | BigInt(b));
    case '^': return Number(BigInt(a) ^ BigInt(b));
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '&&': return a && b ? 1 : 0;
    case '||': return a || b ? 1 : 0;
  }
  return null;
}

function swap(n: number, bytes: 2 | 4): number {
  if (bytes === 2) return ((n & 0xff) << 8) | ((n >> 8) & 0xff);
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | ((n >>> 24) & 0xff)) >>> 0;
}

function castConst(typeWords: string[], n: number): number {
  if (typeWords.includes('*')) return n;
  const key = typeWords.filter((w) => w !== 'const' && w !== 'volatile').join(' ');
  switch (key) {
    case '__u8': case 'u8': case 'uint8_t': case 'unsigned char': return n & 0xff;
    case '__s8': case 's8': case 'int8_t': case 'char': case 'signed char': return (n << 24) >> 24;
    case '__u16': case 'u16': case 'uint16_t': case 'unsigned short': case '__be16': case '__le16': case '__sum16': return n & 0xffff;
    case '__s16': case 's16': case 'int16_t': case 'short': return (n << 16) >> 16;
    case '__u32': case 'u32': case 'uint32_t': case 'unsigned': case 'unsigned int': case '__be32': case '__le32': case '__wsum': return n >>> 0;
    case '__s32': case 's32': case 'int32_t': case 'int': case 'signed int': return n | 0;
    case '_Bool': case 'bool': return n ? 1 : 0;
  }
  return n;
}

class Evaluator {
  private p = 0;

  constructor(private readonly text: string, private readonly toks: readonly Token[], private readonly hooks: EvalHooks) {}

  private peek(k = 0): Token | undefined { return this.toks[this.p + k]; }
  private isPunct(t: Token | undefined, s: string): boolean { return !!t && t.kind === 'punct' && t.text === s; }

  private spanOf(from: number, to: number): Span {
    const a = this.toks[from] ?? this.toks[this.toks.length - 1];
    const b = this.toks[Math.max(from, to - 1)] ?? a;
    return { start: a.start, end: b.end };
  }

  private unknown(from: number, to = this.p): Value[] {
    const span = this.spanOf(from, to);
    return [{ kind: 'unknown', text: this.text.slice(span.start, span.end), origin: this.hooks.origin(span) }];
  }

  private num(value: number, from: number, to = this.p): Value[] {
    return [{ kind: 'const', value, name: null, chain: [], origin: this.hooks.origin(this.spanOf(from, to)) }];
  }

  comma(): Value[] {
    let v = this.assignment();
    while (this.isPunct(this.peek(), ',')) { this.p++; v = this.assignment(); }
    return v;
  }

  private assignment(): Value[] {
    const from = this.p;
    const left = this.conditional();
    const t = this.peek();
    if (t && t.kind === 'punct' && ASSIGN_OPS.has(t.text)) {
      this.p++;
      const right = this.assignment();
      return t.text === '=' ? right : this.unknown(from);
    }
    return left;
  }

  private conditional(): Value[] {
    const cond = this.binary(1);
    if (!this.isPunct(this.peek(), '?')) return cond;
    this.p++;
    const a = this.comma();
    if (this.isPunct(this.peek(), ':')) this.p++;
    const b = this.conditional();
    const truth = constTruth(cond);
    if (truth === true) return a;
    if (truth === false) return b;
    return union(a, b);
  }

  private binary(minPrec: number): Value[] {
    const from = this.p;
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct') break;
      const prec = BINARY_PRECEDENCE[t.text];
      if (prec === undefined || prec < minPrec) break;
      this.p++;
      const right = this.binary(prec + 1);
      left = this.combine(t.text, left, right, from);
    }
    return left;
  }

  private combine(op: string, a: Value[], b: Value[], from: number): Value[] {
    const ac = a.every((v) => v.kind === 'const') && a.length > 0;
    const bc = b.every((v) => v.kind === 'const') && b.length > 0;
    if (ac && bc) {
      let out: Value[] = [];
      for (const x of a as ConstValue[]) for (const y of b as ConstValue[]) {
        const r = foldBinary(op, x.value, y.value);
        if (r === null) return this.unknown(from);
        out = union(out, this.num(r, from));
      }
      return out;
    }
    // Pointer arithmetic inside the packet: data + ETH_HLEN.
    if ((op === '+' || op === '-') && a.length === 1 && a[0].kind === 'packet' && bc && b.length === 1) {
      const off = a[0].offset;
      const d = (b[0] as ConstValue).value;
      return [{ kind: 'packet', offset: off === null ? null : op === '+' ? off + d : off - d, origin: a[0].origin }];
    }
    return this.unknown(from);
  }

  private unary(): Value[] {
    const from = this.p;
    const t = this.peek();
    if (!t) return [];
    if (t.kind === 'punct') {
      if (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!') {
        this.p++;
        const v = this.unary();
        if (v.length > 0 && v.every((x) => x.kind === 'const')) {
          let out: Value[] = [];
          for (const x of v as ConstValue[]) {
            const n = t.text === '-' ? -x.value : t.text === '+' ? x.value : t.text === '~' ? Number(~BigInt(x.value)) : x.value ? 0 : 1;
            out = union(out, this.num(n, from));
          }
          return out;
        }
        return this.unknown(from);
      }
      if (t.text === '*' || t.text === '&' || t.text === '++' || t.text === '--') {
        this.p++;
        this.unary();
        return this.unknown(from);
      }
      if (t.text === '(') {
        const close = matchBracket(this.toks, this.p);
        const words = close > 0 ? this.typeWords(this.p + 1, close) : null;
        if (words) {
          // `(T)x` is a cast only when an operand follows: `(T) - 1` is, `(x) - 1` never has a type inside.
          const next = this.toks[close + 1];
          const operand = !!next && (next.kind !== 'punct' || ['(', '-', '+', '*', '&', '!', '~', '++', '--'].includes(next.text));
          if (operand) {
            this.p = close + 1;
            const v = this.unary();
            return v.map((x) => (x.kind === 'const' ? { ...x, value: castConst(words, x.value) } : x));
          }
        }
      }
    }
    if (t.kind === 'id' && (t.text === 'sizeof' || t.text === '_Alignof' || t.text === '__alignof__')) {
      this.p++;
      if (this.isPunct(this.peek(), '(')) {
        const close = matchBracket(this.toks, this.p);
        if (close > 0) {
          const words = this.typeWords(this.p + 1, close);
          const key = words?.filter((w) => w !== 'const' && w !== 'volatile').join(' ');
          this.p = close + 1;
          const size = key === undefined ? undefined : key.includes('*') ? 8 : SIZES[key];
          return size !== undefined && t.text === 'sizeof' ? this.num(size, from) : this.unknown(from);
        }
      }
      this.unary();
      return this.unknown(from);
    }
    return this.postfix();
  }

  /** The tokens in [from, to) as a type name (`struct ethhdr *`), or null. */
  private typeWords(from: number, to: number): string[] | null {
    if (to <= from) return null;
    const words: string[] = [];
    let sawType = false;
    for (let i = from; i < to; i++) {
      const t = this.toks[i];
      if (t.kind === 'punct') {
        if (t.text === '*' && sawType) { words.push('*'); continue; }
        return null;
      }
      if (t.kind !== 'id') return null;
      if (t.text === 'struct' || t.text === 'union' || t.text === 'enum') {
        const tag = this.toks[i + 1];
        if (!tag || tag.kind !== 'id' || i + 1 >= to) return null;
        words.push(`${t.text} ${tag.text}`);
        i++;
        sawType = true;
        continue;
      }
      if (TYPE_WORDS.has(t.text) || /^(u?int\d+_t|[a-z_]\w*_t)$/.test(t.text) || this.hooks.isType?.(t.text)) {
        words.push(t.text);
        if (t.text !== 'const' && t.text !== 'volatile') sawType = true;
        continue;
      }
      return null;
    }
    return sawType ? words : null;
  }

  private postfix(): Value[] {
    const from = this.p;
    let v = this.primary();
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct') break;
      if (t.text === '(') {
        const close = matchBracket(this.toks, this.p);
        if (close < 0) { this.p = this.toks.length; return this.unknown(from); }
        const callee = this.toks[from];
        const name = this.p === from + 1 && callee.kind === 'id' ? callee.text : null;
        const args = this.argSpans(this.p, close);
        this.p = close + 1;
        const span = this.spanOf(from, this.p);
        const special = name ? this.special(name, args, from) : undefined;
        v = special ?? this.hooks.call(name, span, args) ?? this.unknown(from);
        continue;
      }
      if (t.text === '[') {
        const close = matchBracket(this.toks, this.p);
        this.p = close < 0 ? this.toks.length : close + 1;
        v = this.unknown(from);
        continue;
      }
      if (t.text === '.' || t.text === '->') {
        this.p++;
        const field = this.peek();
        this.p++;
        // skb->data / ctx->data: the first byte of the packet (struct __sk_buff, xdp_md).
        v = field && field.text === 'data' ? [{ kind: 'packet', offset: 0, origin: this.hooks.origin(this.spanOf(from, this.p)) }] : this.unknown(from);
        continue;
      }
      if (t.text === '++' || t.text === '--') { this.p++; v = this.unknown(from); continue; }
      break;
    }
    return v;
  }

  private argSpans(open: number, close: number): Span[] {
    if (close === open + 1) return [];
    return splitTopLevel(this.toks, open + 1, close).map(([a, b]) => this.spanOf(a, b));
  }

  /** offsetof(), byte-order conversions: folded here, whatever the hooks say. */
  private special(name: string, args: Span[], from: number): Value[] | undefined {
    if (name === 'offsetof' || name === '__builtin_offsetof') {
      const m = /^\s*struct\s+(\w+)\s*,\s*(\w+)\s*$/.exec(args.length === 2 ? this.text.slice(args[0].start, args[1].end) : '');
      const off = m ? OFFSETS[m[1]]?.[m[2]] : undefined;
      return off === undefined ? this.unknown(from) : this.num(off, from);
    }
    if (BYTE_ORDER_FUNCTIONS.has(name) && args.length === 1) {
      const inner = evaluate(this.text, args[0], this.hooks);
      if (inner.length === 0 || !inner.every((x) => x.kind === 'const')) return this.unknown(from);
      const bytes = /16|s$/.test(name) ? 2 : 4;
      let out: Value[] = [];
      for (const x of inner as ConstValue[]) out = union(out, this.num(swap(x.value, bytes), from));
      return out;
    }
    return undefined;
  }

  private primary(): Value[] {
    const from = this.p;
    const t = this.peek();
    if (!t) return [];
    this.p++;
    switch (t.kind) {
      case 'num': case 'chr': {
        const n = parseIntLiteral(t.text);
        return n === null ? this.unknown(from) : this.num(n, from);
      }
      case 'str':
        while (this.peek()?.kind === 'str') this.p++;
        return this.unknown(from);
      case 'id': {
        if (this.isPunct(this.peek(), '(')) return []; // postfix() turns it into a call
        const span = { start: t.start, end: t.end };
        const v = this.hooks.ident(t.text, span);
        return v && v.length > 0 ? v : this.unknown(from);
      }
      case 'punct':
        if (t.text === '(') {
          if (this.isPunct(this.peek(), '{')) { // GNU statement expression
            const close = matchBracket(this.toks, from);
            this.p = close < 0 ? this.toks.length : close + 1;
            return this.unknown(from);
          }
          const v = this.comma();
          if (this.isPunct(this.peek(), ')')) this.p++;
          return v;
        }
        if (t.text === '{') {
          const close = matchBracket(this.toks, from);
          this.p = close < 0 ? this.toks.length : close + 1;
          return this.unknown(from);
        }
        return this.unknown(from);
    }
  }
}

function constTruth(v: Value[]): boolean | null {
  if (v.length === 0 || !v.every((x) => x.kind === 'const')) return null;
  const all = (v as ConstValue[]).map((x) => x.value !== 0);
  return all.every((x) => x) ? true : all.every((x) => !x) ? false : null;
}
