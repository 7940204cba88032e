// The TextMate grammar for *.topo files, checked without VS Code: every regex must compile in
// JavaScript (VS Code runs them in Oniguruma, so we keep to the syntax both accept), and a small
// interpreter of the grammar's match/captures/begin/end rules tokenizes representative lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const grammarFile = path.join(root, 'syntaxes/topology.tmLanguage.json');
const configFile = path.join(root, 'syntaxes/topology.language-configuration.json');

interface Capture { name?: string; patterns?: unknown }
interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  captures?: Record<string, Capture>;
  beginCaptures?: Record<string, Capture>;
  endCaptures?: Record<string, Capture>;
  patterns?: Rule[];
  include?: string;
  applyEndPatternLast?: boolean;
}
interface Grammar { scopeName: string; patterns: Rule[]; repository: Record<string, Rule> }

const grammar: Grammar = JSON.parse(fs.readFileSync(grammarFile, 'utf8'));

// Syntax that Oniguruma accepts and JavaScript rejects or reads differently. Compiling with the
// `u` flag already refuses most of it (unknown escapes, possessive quantifiers, `(?>`), this list
// names them so a failure says why.
const ONIGURUMA_ONLY: [RegExp, string][] = [
  [/\\[AzZGhHKRXO]/, 'Oniguruma-only escape (\\A \\z \\Z \\G \\h \\H \\K \\R \\X \\O)'],
  [/\(\?>/, 'atomic group (?>...)'],
  [/\(\?[imxW-]+[):]/, 'inline option group (?i) / (?x:...)'],
  [/\(\?~/, 'absent operator (?~...)'],
  [/[*+?}][+]/, 'possessive quantifier'],
  [/\\[pP]\{\^/, 'negated property \\p{^...}'],
];

/** Every regex in the grammar, with a JSON-path-like label. */
function allRegexes(): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const visit = (rule: Rule, where: string) => {
    for (const key of ['match', 'begin', 'end', 'while'] as const) {
      const source = rule[key];
      if (source !== undefined) out.push({ where: `${where}.${key}`, source });
    }
    rule.patterns?.forEach((p, i) => visit(p, `${where}.patterns[${i}]`));
  };
  grammar.patterns.forEach((p, i) => visit(p, `patterns[${i}]`));
  for (const [name, rule] of Object.entries(grammar.repository)) visit(rule, `repository.${name}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A tiny TextMate interpreter: enough of vscode-textmate's scanning rules for this grammar.
// At each position the earliest match wins among the current rule's `end` and its patterns;
// ties go to `end` first (no grammar here sets applyEndPatternLast), then to pattern order.
// Lines are scanned without their newline, so `$` is the end of the line as in Oniguruma.

interface Token { text: string; start: number; scopes: string[] }
interface Frame { rule: Rule; scopes: string[]; end: RegExp }

const regexCache = new Map<string, RegExp>();
function compile(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source, 'dgu');
    regexCache.set(source, re);
  }
  return re;
}

function resolve(rule: Rule, seen = new Set<Rule>()): Rule[] {
  if (seen.has(rule)) return [];
  seen.add(rule);
  if (rule.include !== undefined) {
    if (rule.include === '$self' || rule.include === '$base') return grammar.patterns.flatMap((r) => resolve(r, seen));
    if (!rule.include.startsWith('#')) throw new Error(`unsupported include ${rule.include}`);
    const target = grammar.repository[rule.include.slice(1)];
    if (!target) throw new Error(`include of a missing repository entry ${rule.include}`);
    return resolve(target, seen);
  }
  if (rule.match !== undefined || rule.begin !== undefined) return [rule];
  if (rule.while !== undefined) throw new Error('begin/while rules are not supported by this interpreter');
  return (rule.patterns ?? []).flatMap((r) => resolve(r, seen));
}

const splitScopes = (name: string | undefined) => (name ? name.split(/\s+/).filter(Boolean) : []);

/** Per-character scopes of a match: the base scopes, then each capture in group order (outer first). */
function captureScopes(m: RegExpExecArray, base: string[], captures: Record<string, Capture> | undefined): string[][] {
  const start = m.index;
  const chars: string[][] = [];
  for (let i = 0; i < m[0].length; i++) chars.push([...base]);
  if (!captures) return chars;
  const groups = Object.keys(captures).map(Number).sort((a, b) => a - b);
  for (const g of groups) {
    const cap = captures[String(g)];
    if (cap.patterns) throw new Error('captures with patterns are not supported by this interpreter');
    if (g >= m.length) throw new Error(`capture ${g} does not exist in /${m.input}/`);
    const span = m.indices?.[g];
    if (!span) continue;
    for (let i = span[0]; i < span[1]; i++) chars[i - start].push(...splitScopes(cap.name));
  }
  return chars;
}

function tokenizeLine(line: string, stack: Frame[]): Token[] {
  const chars: string[][] = [];
  const emit = (from: number, scopes: string[][] | string[]) => {
    for (let i = 0; i < scopes.length; i++) {
      const s = scopes[i];
      chars[from + i] = Array.isArray(s) ? s : (scopes as string[]);
    }
  };
  const fill = (from: number, to: number, scopes: string[]) => {
    for (let i = from; i < to; i++) chars[i] = scopes;
  };
  const baseScopes = () => (stack.length ? stack[stack.length - 1].scopes : [grammar.scopeName]);

  let pos = 0;
  for (let guard = 0; ; guard++) {
    if (guard > 10 * (line.length + 10)) throw new Error(`no progress tokenizing ${JSON.stringify(line)}`);
    const frame = stack[stack.length - 1];
    let best: { m: RegExpExecArray; rule?: Rule } | undefined;
    if (frame) {
      frame.end.lastIndex = pos;
      const m = frame.end.exec(line);
      if (m) best = { m };
    }
    const candidates = frame ? (frame.rule.patterns ?? []).flatMap((r) => resolve(r)) : grammar.patterns.flatMap((r) => resolve(r));
    for (const rule of candidates) {
      const re = compile((rule.match ?? rule.begin)!);
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && (!best || m.index < best.m.index)) best = { m, rule };
    }
    if (!best) {
      fill(pos, line.length, baseScopes());
      break;
    }
    const { m, rule } = best;
    fill(pos, m.index, baseScopes());
    const after = m.index + m[0].length;
    if (!rule) {
      // end of the current begin/end rule
      emit(m.index, captureScopes(m, frame!.scopes, frame!.rule.endCaptures ?? frame!.rule.captures));
      stack.pop();
    } else if (rule.match !== undefined) {
      if (m[0].length === 0) throw new Error(`zero-length match of /${rule.match}/ at ${m.index} in ${JSON.stringify(line)}`);
      emit(m.index, captureScopes(m, [...baseScopes(), ...splitScopes(rule.name)], rule.captures));
    } else {
      if (m[0].length === 0) throw new Error(`zero-length begin /${rule.begin}/ in ${JSON.stringify(line)}`);
      const scopes = [...baseScopes(), ...splitScopes(rule.name)];
      emit(m.index, captureScopes(m, scopes, rule.beginCaptures ?? rule.captures));
      stack.push({ rule, scopes: [...scopes, ...splitScopes(rule.contentName)], end: compile(rule.end!) });
    }
    pos = after;
    if (pos >= line.length && !stack.length) {
      fill(pos, line.length, baseScopes());
      break;
    }
  }

  const tokens: Token[] = [];
  for (let i = 0; i < line.length; i++) {
    const last = tokens[tokens.length - 1];
    if (last && last.scopes.join(' ') === chars[i].join(' ')) last.text += line[i];
    else tokens.push({ text: line[i], start: i, scopes: chars[i] });
  }
  return tokens;
}

/** Tokenizes a whole document; every statement must be closed by the end of its line. */
function tokenize(text: string): Token[][] {
  const stack: Frame[] = [];
  return text.split(/\r?\n/).map((line, i) => {
    const tokens = tokenizeLine(line, stack);
    if (stack.length) throw new Error(`line ${i + 1} leaves ${stack.length} rule(s) open: ${JSON.stringify(line)}`);
    return tokens;
  });
}

const has = (scopes: string[], scope: string) => scopes.some((s) => s === scope || s.startsWith(scope + '.'));

/** Per-character scopes of one line. */
function charScopes(line: string): string[][] {
  return tokenize(line)[0].flatMap((t) => [...t.text].map(() => t.scopes));
}

const WORDISH = /[A-Za-z0-9_.:\/-]/;

/**
 * The scopes shared by every character of the `nth` occurrence of `text` in `line`, where an
 * occurrence that starts or ends with a word character must not continue a longer word.
 */
function scopesOf(line: string, text: string, nth = 0): string[] {
  const chars = charScopes(line);
  let seen = 0;
  for (let i = line.indexOf(text); i >= 0; i = line.indexOf(text, i + 1)) {
    const j = i + text.length;
    if (WORDISH.test(text[0]) && i > 0 && WORDISH.test(line[i - 1])) continue;
    if (WORDISH.test(text[text.length - 1]) && j < line.length && WORDISH.test(line[j])) continue;
    if (seen++ < nth) continue;
    return chars.slice(i, j).reduce((acc, s) => acc.filter((x) => s.includes(x)));
  }
  const got = tokenize(line)[0].map((t) => `${JSON.stringify(t.text)} ${t.scopes.join(' ')}`).join('\n  ');
  throw new Error(`no occurrence #${nth} of ${JSON.stringify(text)} in ${JSON.stringify(line)}; tokens:\n  ${got}`);
}

function expectScope(line: string, text: string, scope: string, nth = 0) {
  const scopes = scopesOf(line, text, nth);
  expect(has(scopes, scope), `${JSON.stringify(text)} in ${JSON.stringify(line)} has ${scopes.join(' ')}, want ${scope}`).toBe(true);
}
function expectNoScope(line: string, text: string, scope: string, nth = 0) {
  const scopes = scopesOf(line, text, nth);
  expect(has(scopes, scope), `${JSON.stringify(text)} in ${JSON.stringify(line)} has ${scopes.join(' ')}, must not have ${scope}`).toBe(false);
}

// ---------------------------------------------------------------------------------------------

describe('topology grammar: file and regexes', () => {
  it('is the grammar package.json contributes for the topology language', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const contrib = pkg.contributes.grammars.find((g: { language: string }) => g.language === 'topology');
    expect(contrib.scopeName).toBe('source.topology');
    expect(path.resolve(root, contrib.path)).toBe(grammarFile);
    expect(grammar.scopeName).toBe('source.topology');
  });

  it('has regexes that compile in JavaScript and use no Oniguruma-only syntax', () => {
    const regexes = allRegexes();
    expect(regexes.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const { where, source } of regexes) {
      try {
        new RegExp(source, 'u');
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
      }
      for (const [re, why] of ONIGURUMA_ONLY) if (re.test(source)) problems.push(`${where}: ${why}: ${source}`);
    }
    expect(problems).toEqual([]);
  });

  it('only includes repository entries that exist, and every capture group exists', () => {
    const problems: string[] = [];
    const visit = (rule: Rule, where: string) => {
      if (rule.include?.startsWith('#') && !grammar.repository[rule.include.slice(1)]) problems.push(`${where}: ${rule.include}`);
      for (const [key, caps] of [['match', rule.captures], ['begin', rule.beginCaptures], ['end', rule.endCaptures]] as const) {
        const source = rule[key];
        if (!caps || source === undefined) continue;
        const groups = new RegExp(`${source}|`, 'u').exec('')!.length - 1;
        for (const g of Object.keys(caps)) if (Number(g) > groups) problems.push(`${where}.${key}: capture ${g} of ${groups}`);
      }
      rule.patterns?.forEach((p, i) => visit(p, `${where}.patterns[${i}]`));
    };
    grammar.patterns.forEach((p, i) => visit(p, `patterns[${i}]`));
    for (const [name, rule] of Object.entries(grammar.repository)) visit(rule, `repository.${name}`);
    expect(problems).toEqual([]);
  });

  it('self-check of the interpreter: a zero-length match rule is refused', () => {
    const saved = grammar.patterns;
    grammar.patterns = [{ match: '(?=x)', name: 'bad' }];
    try {
      expect(() => tokenize('x')).toThrow(/zero-length/);
    } finally {
      grammar.patterns = saved;
    }
  });
});

describe('topology grammar: tokens', () => {
  it('comments', () => {
    expectScope('# two pods on a Linux bridge', '# two pods on a Linux bridge', 'comment.line.number-sign');
    expectScope('nic eth0 192.168.1.10/24 # uplink route', '# uplink route', 'comment.line.number-sign');
    expectNoScope('nic eth0 192.168.1.10/24 # uplink route', 'eth0', 'comment');
    expectScope('# region pods', '# region pods', 'comment.line.number-sign');
  });

  it('netns: declared name, forwarding only after it', () => {
    expectScope('netns node1 forwarding', 'netns', 'storage.type');
    expectScope('netns node1 forwarding', 'node1', 'entity.name.namespace');
    expectScope('netns node1 forwarding', 'forwarding', 'keyword.other.forwarding');
    // keywords are not reserved: a namespace called `forwarding` or `route`
    expectScope('netns forwarding', 'forwarding', 'entity.name.namespace');
    expectNoScope('netns forwarding', 'forwarding', 'keyword');
    expectScope('netns route', 'route', 'entity.name.namespace');
    expectNoScope('netns route', 'route', 'keyword');
  });

  it('a statement keyword only counts at the start of a line', () => {
    expectScope('nic route 10.0.0.1/24', 'route', 'variable.other.device');
    expectNoScope('nic route 10.0.0.1/24', 'route', 'keyword');
    expectScope('  nic eth0', 'nic', 'storage.type.nic');
    expectNoScope('eth0 nic', 'nic', 'storage.type');
  });

  it('devices, @NS, CIDRs and device attributes', () => {
    const line = 'veth eth0@pod1 10.244.1.2/24 mac 02:00:0a:f4:01:02 -- veth1@node1 ifindex 12';
    expectScope(line, 'veth', 'storage.type.veth');
    expectScope(line, 'eth0', 'variable.other.device');
    expectScope(line, '@pod1', 'entity.name.namespace');
    expectScope(line, '10.244.1.2/24', 'constant.numeric.cidr');
    expectScope(line, 'mac', 'keyword.other.mac');
    expectScope(line, '02:00:0a:f4:01:02', 'constant.numeric.mac');
    expectScope(line, '--', 'keyword.operator.link');
    expectScope(line, 'veth1', 'variable.other.device');
    expectScope(line, '@node1', 'entity.name.namespace');
    expectScope(line, 'ifindex', 'keyword.other.ifindex');
    expectScope(line, '12', 'constant.numeric');
    // a veth end called `mac` is a name, not the attribute
    expectScope('veth mac@x -- ifindex', 'mac', 'variable.other.device');
    expectScope('veth mac@x -- ifindex', 'ifindex', 'variable.other.device');
    expectScope('nic eth0 fd00::1/64', 'fd00::1/64', 'constant.numeric.cidr');
  });

  it('bridge ports are device names, even when they look like keywords', () => {
    const line = 'bridge cni0 10.244.1.1/24 ports veth1 ports';
    expectScope(line, 'bridge', 'storage.type.bridge');
    expectScope(line, 'cni0', 'variable.other.device');
    expectScope(line, 'ports', 'keyword.other.ports', 0);
    expectScope(line, 'veth1', 'variable.other.device');
    expectScope(line, 'ports', 'variable.other.device', 1);
  });

  it('wire and netkit', () => {
    expectScope('wire eth0@node1 -- eth0@node2', 'wire', 'storage.type.wire');
    expectScope('wire eth0@node1 -- eth0@node2', '@node2', 'entity.name.namespace');
    const nk = 'netkit nk0 10.0.0.1/32 -- eth0@pod mode l2';
    expectScope(nk, 'netkit', 'storage.type.netkit');
    expectScope(nk, 'nk0', 'variable.other.device');
    expectScope(nk, 'mode', 'keyword.other.mode');
    expectScope(nk, 'l2', 'constant.language.mode');
  });

  it('route: @NS, default, via, dev', () => {
    const line = 'route @node1 10.244.2.0/24 via 192.168.1.11 dev eth0';
    expectScope(line, 'route', 'keyword.other.route');
    expectScope(line, '@node1', 'entity.name.namespace');
    expectScope(line, '10.244.2.0/24', 'constant.numeric.cidr');
    expectScope(line, 'via', 'keyword.other.via');
    expectScope(line, '192.168.1.11', 'constant.numeric.ip');
    expectScope(line, 'dev', 'keyword.other.dev');
    expectScope(line, 'eth0', 'variable.other.device');
    // a device called `dev`, and one called `default`
    expectScope('route default dev dev', 'default', 'keyword.other.default');
    expectScope('route default dev dev', 'dev', 'keyword.other.dev', 0);
    expectScope('route default dev dev', 'dev', 'variable.other.device', 1);
    expectScope('route 10.0.0.0/8 dev default', 'default', 'variable.other.device');
    expectNoScope('route 10.0.0.0/8 dev default', 'default', 'keyword');
  });

  it('attach: hook, device, program, file, redirect-to, priority', () => {
    const line = 'attach tc-ingress lxc-a prog to_pod_peer file "bpf/lxc.bpf.c" redirect-to lxc-b@host priority 2';
    expectScope(line, 'attach', 'keyword.other.attach');
    expectScope(line, 'tc-ingress', 'support.constant.hook');
    expectScope(line, 'lxc-a', 'variable.other.device');
    expectScope(line, 'prog', 'keyword.other.prog');
    expectScope(line, 'to_pod_peer', 'entity.name.function');
    expectScope(line, 'file', 'keyword.other.file');
    expectScope(line, '"bpf/lxc.bpf.c"', 'string.quoted.double');
    expectScope(line, 'redirect-to', 'keyword.other.redirect-to');
    expectScope(line, 'lxc-b', 'variable.other.device');
    expectScope(line, '@host', 'entity.name.namespace');
    expectScope(line, 'priority', 'keyword.other.priority');
    expectScope(line, '2', 'constant.numeric');
    for (const hook of ['tc-egress', 'tcx-ingress', 'tcx-egress', 'xdp', 'xdp-generic', 'netkit-primary', 'netkit-peer'])
      expectScope(`attach ${hook} nk0 prog p`, hook, 'support.constant.hook');
    // an unknown hook is flagged; a program or device named like a keyword is a name
    expectScope('attach tc-ingres lxc-a prog p', 'tc-ingres', 'invalid.illegal');
    expectScope('attach xdp prog prog file', 'prog', 'variable.other.device', 0);
    expectScope('attach xdp prog prog file', 'prog', 'keyword.other.prog', 1);
    expectScope('attach xdp prog prog file', 'file', 'entity.name.function');
    expectScope('attach xdp eth0 prog p file "a#b.c"', '"a#b.c"', 'string.quoted.double');
  });

  it('path: endpoints, arrow, protocols', () => {
    const line = 'path pod1 -> 10.0.1.20 tcp 80';
    expectScope(line, 'path', 'keyword.other.path');
    expectScope(line, 'pod1', 'variable.other.endpoint');
    expectScope(line, '->', 'keyword.operator.arrow');
    expectScope(line, '10.0.1.20', 'constant.numeric.ip');
    expectScope(line, 'tcp', 'keyword.other.protocol');
    expectScope(line, '80', 'constant.numeric.integer.port');
    expectScope('path eth0@pod-a -> lxc-b icmp', '@pod-a', 'entity.name.namespace');
    expectScope('path eth0@pod-a -> lxc-b icmp', 'eth0', 'variable.other.device');
    expectScope('path eth0@pod-a -> lxc-b icmp', 'icmp', 'keyword.other.protocol');
    // namespaces called `tcp` and `udp`: names in endpoint position, keywords after them
    expectScope('path tcp -> udp udp 53', 'tcp', 'variable.other.endpoint');
    expectScope('path tcp -> udp udp 53', 'udp', 'variable.other.endpoint', 0);
    expectScope('path tcp -> udp udp 53', 'udp', 'keyword.other.protocol', 1);
  });

  it('map: name, file, key => value', () => {
    const line = 'map endpoints file "lxc.bpf.c" 10.0.1.20 => lxc-b';
    expectScope(line, 'map', 'keyword.other.map');
    expectScope(line, 'endpoints', 'variable.other.map');
    expectScope(line, 'file', 'keyword.other.file');
    expectScope(line, '"lxc.bpf.c"', 'string.quoted.double');
    expectScope(line, '10.0.1.20', 'constant.numeric.ip');
    expectScope(line, '=>', 'keyword.operator.maps-to');
    expectScope(line, 'lxc-b', 'variable.other.device');
    expectScope('map counts 7 => 0x10', '0x10', 'constant.numeric.integer');
    expectScope('map macs eth0@pod-b => 02:00:0a:00:01:14', '02:00:0a:00:01:14', 'constant.numeric.mac');
    // a map key device called `file`
    expectScope('map m file => 1', 'file', 'keyword.other.file');
    expectScope('map m "x" file => 1', 'file', 'variable.other.device');
  });
});

describe('topology grammar: whole files', () => {
  const topoFiles: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.topo')) topoFiles.push(p);
    }
  };
  walk(path.join(root, 'examples'));
  // The acceptance cases, where the shared folder sits beside the project (as in CI).
  walk(path.resolve(root, '../shared/acceptance/cases'));

  it('finds the examples', () => {
    expect(topoFiles.filter((f) => f.includes(`${path.sep}examples${path.sep}`)).length).toBeGreaterThanOrEqual(6);
  });

  it.each(topoFiles.map((f) => [path.relative(root, f), f]))('%s: every word gets a meaningful scope', (_rel, file) => {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    const tokens = tokenize(lines.join('\n'));
    const bare: string[] = [];
    tokens.forEach((line, i) => {
      for (const t of line) {
        if (!t.text.trim()) continue;
        const meaningful = t.scopes.filter((s) => s !== 'source.topology' && !s.startsWith('meta.'));
        if (!meaningful.length || t.scopes.some((s) => s.startsWith('invalid.'))) bare.push(`${i + 1}: ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`);
      }
    });
    expect(bare).toEqual([]);
  });
});

describe('topology language configuration', () => {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  const words = (text: string) => text.match(new RegExp(config.wordPattern, 'gu')) ?? [];

  it('comments with #, closes quotes', () => {
    expect(config.comments.lineComment).toBe('#');
    expect(config.autoClosingPairs).toContainEqual(expect.objectContaining({ open: '"', close: '"' }));
  });

  it('treats DEV@NS, hooks, IPs, CIDRs and MACs as single words', () => {
    expect(words('veth eth0@pod-a 10.0.1.10/32 -- lxc-a')).toEqual(['veth', 'eth0@pod-a', '10.0.1.10/32', 'lxc-a']);
    expect(words('attach tc-ingress lxc-a prog to_pod.v2')).toEqual(['attach', 'tc-ingress', 'lxc-a', 'prog', 'to_pod.v2']);
    expect(words('route default via 192.168.1.1')).toEqual(['route', 'default', 'via', '192.168.1.1']);
    expect(words('mac 02:00:0a:00:01:14')).toEqual(['mac', '02:00:0a:00:01:14']);
  });

  it('folds # region / # endregion', () => {
    const start = new RegExp(config.folding.markers.start, 'u');
    const end = new RegExp(config.folding.markers.end, 'u');
    expect(start.test('# region pods')).toBe(true);
    expect(end.test('  # endregion')).toBe(true);
    expect(start.test('# regional routes')).toBe(false);
  });
});
