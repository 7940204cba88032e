// Shell commands inside YAML: Kubernetes `command:`/`args:`, CI `run:` steps, Compose
// `command:`. YAML is not shell, so its scalars are unwrapped first: block scalars (`|`, `>`),
// quoted strings (escapes decoded, offsets kept through a map) and flow sequences
// (`["tc", "filter", ...]`, read as an argument list).

import type { LoaderEvidence } from './evidence';
import { evaluateCommands, shellAssignments, variableResolver, type Assignment } from './shell';
import { shellCommands, type Segment, type Word } from './shell-words';
import { LineIndex } from './text';

export function scanYaml(file: string, text: string): LoaderEvidence[] {
  const { segments, argvs, assignments } = yamlShellText(text);
  const commands = [...segments.flatMap((s) => shellCommands(s, 'sh')), ...argvs];
  return evaluateCommands(file, text, commands, variableResolver([...assignments, ...shellAssignments(commands)]));
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export function yamlShellText(text: string): { segments: Segment[]; argvs: Word[][]; assignments: Assignment[] } {
  const segments: Segment[] = [];
  const argvs: Word[][] = [];
  const assignments: Assignment[] = [];
  const lines = text.split('\n');
  // Line k of the index is lines[k]; its lineOf is a binary search, not a scan per value.
  const index = new LineIndex(text);
  const indentOf = (l: string) => l.length - l.trimStart().length;
  // Kubernetes env: `- name: IFACE` then `value: eth0` at the same column
  let pendingName: { name: string; col: number } | undefined;

  let i = 0;
  while (i < lines.length) {
    const line = lines[i].replace(/\r$/, '');
    const base = index.lineStart(i);
    const indent = indentOf(line);
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || /^(---|\.\.\.)(\s|$)/.test(trimmed)) { i++; continue; }
    let p = indent;
    while (line[p] === '-' && (line[p + 1] === ' ' || p + 1 === line.length)) {
      p++;
      while (line[p] === ' ') p++;
    }
    const keyCol = p;
    let key: string | undefined;
    const km = /^([^\s'"#[\]{},&*!|>%@`][^#]*?|"[^"]*"|'[^']*')\s*:(?=\s|$)/.exec(line.slice(p));
    if (km) {
      key = km[1].replace(/^(["'])(.*)\1$/, '$2');
      p += km[0].length;
      while (line[p] === ' ') p++;
    }
    const rest = line.slice(p);
    if (!rest || rest.startsWith('#')) { i++; continue; }

    if (/^[|>][-+0-9]*\s*(#.*)?$/.test(rest)) {
      let j = i + 1;
      while (j < lines.length && (!lines[j].trim() || indentOf(lines[j]) > indent)) j++;
      let last = j - 1;
      while (last > i && !lines[last].trim()) last--;
      if (last > i) {
        const s = index.lineStart(i + 1);
        let t = text.slice(s, index.lineStart(last) + lines[last].length);
        // a folded scalar joins lines with spaces (same length, so offsets hold)
        if (rest[0] === '>') t = t.replace(/([^\n])\n(?=[ \t]*\S)/g, '$1 ');
        segments.push({ text: t, offset: s });
      }
      i = j;
      continue;
    }
    if (rest[0] === '"' || rest[0] === "'") {
      const q = decodeQuoted(text, base + p);
      segments.push({ text: q.value, map: q.map });
      if (key && ENV_NAME.test(key)) assignments.push({ name: key, value: q.value, literal: !q.value.includes('$') });
      pairEnv(key, q.value, keyCol);
      i = index.lineOf(q.end) + 1;
      continue;
    }
    if (rest[0] === '[') {
      const f = flowSequence(text, base + p);
      argvs.push(f.words);
      for (const s of f.strings) segments.push(s);
      i = index.lineOf(f.end) + 1;
      continue;
    }
    if (rest[0] === '{') { i++; continue; }
    const plain = rest.replace(/\s+#.*$/, '').replace(/\s+$/, '');
    segments.push({ text: plain, offset: base + p });
    if (key && ENV_NAME.test(key)) assignments.push({ name: key, value: plain, literal: !plain.includes('$') });
    pairEnv(key, plain, keyCol);
    i++;
  }
  return { segments, argvs, assignments };

  function pairEnv(key: string | undefined, value: string, col: number) {
    if (key === 'name') pendingName = { name: value, col };
    else if (key === 'value' && pendingName && pendingName.col === col && ENV_NAME.test(pendingName.name)) {
      assignments.push({ name: pendingName.name, value, literal: !value.includes('$') });
      pendingName = undefined;
    }
  }
}

/** A YAML quoted scalar at `start`: value, offset map (length + 1) and the offset past it. */
export function decodeQuoted(text: string, start: number): { value: string; map: number[]; end: number } {
  const q = text[start];
  let value = '';
  const map: number[] = [];
  let k = start + 1;
  while (k < text.length) {
    const c = text[k];
    if (q === "'" && c === "'" && text[k + 1] === "'") { value += "'"; map.push(k); k += 2; continue; }
    if (c === q) { map.push(k); return { value, map, end: k + 1 }; }
    if (q === '"' && c === '\\' && k + 1 < text.length) {
      const e = text[k + 1];
      const esc: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', '/': '/', ' ': ' ' };
      if (e === '\n') { k += 2; while (text[k] === ' ' || text[k] === '\t') k++; continue; }
      value += esc[e] ?? e;
      map.push(k);
      k += 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      // line folding: a line break and the next line's indentation read as one space
      map.push(k);
      value += ' ';
      while (k < text.length && /[\s]/.test(text[k])) k++;
      continue;
    }
    value += c;
    map.push(k);
    k++;
  }
  map.push(k);
  return { value, map, end: k };
}

/** `[a, "b c", 'd']` as words, plus its strings holding blanks (`sh -c "..."` scripts). */
export function flowSequence(text: string, open: number): { words: Word[]; strings: Segment[]; end: number } {
  const words: Word[] = [];
  const strings: Segment[] = [];
  let k = open + 1;
  for (;;) {
    while (k < text.length && /[\s,]/.test(text[k])) k++;
    if (k >= text.length) return { words, strings, end: k };
    const c = text[k];
    if (c === ']') return { words, strings, end: k + 1 };
    if (c === '#') { while (k < text.length && text[k] !== '\n') k++; continue; }
    if (c === '"' || c === "'") {
      const d = decodeQuoted(text, k);
      words.push(scalarWord(d.value, text.slice(k, d.end), k, d.end));
      if (/\s/.test(d.value.trim())) strings.push({ text: d.value, map: d.map });
      k = d.end;
      continue;
    }
    if (c === '[' || c === '{') {
      // a nested collection is one opaque item
      let depth = 0;
      const s = k;
      for (; k < text.length; k++) {
        if (text[k] === '[' || text[k] === '{') depth++;
        else if ((text[k] === ']' || text[k] === '}') && --depth === 0) { k++; break; }
      }
      words.push({ value: text.slice(s, k), raw: text.slice(s, k), start: s, end: k, literal: false });
      continue;
    }
    const s = k;
    while (k < text.length && !/[,\]\n]/.test(text[k])) k++;
    const raw = text.slice(s, k).replace(/\s+$/, '');
    words.push(scalarWord(raw, raw, s, s + raw.length));
  }
}

/** A scalar as a word; Kubernetes expands `$(VAR)` from the container's env in command/args. */
function scalarWord(value: string, raw: string, start: number, end: number): Word {
  const w: Word = { value, raw, start, end, literal: !value.includes('$') };
  const ref = /^\$(?:\(([A-Za-z_]\w*)\)|\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))$/.exec(value);
  if (ref) w.varName = ref[1] ?? ref[2] ?? ref[3];
  return w;
}
