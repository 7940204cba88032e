// tc / ip / bpftool commands that programs run: a command line in one string
// (system("tc filter add ..."), os.system, snprintf formats) or an argument list
// (exec.Command("tc", "filter", ...), subprocess.run(["tc", ...]), execlp).

import { Assignments } from './assignments';
import type { LoaderEvidence } from './evidence';
import { evaluateCommands } from './shell';
import { shellCommands, type Word } from './shell-words';
import { blankComments, skipString, splitArgs, stringLiterals, type CommentStyle, type StringLit } from './text';

const TOOL = /^(?:\S*\/)?(?:tc|ip|bpftool|xdp-loader)$/;
const TOOL_IN_TEXT = /(?:^|[\s;&|(`/])(?:tc|ip|bpftool|xdp-loader)\s+\S/;

export function scanEmbeddedCommands(file: string, text: string, style: CommentStyle): LoaderEvidence[] {
  const code = blankComments(text, style);
  const lits = stringLiterals(code, style);
  if (!lits.some((l) => TOOL.test(l.value) || TOOL_IN_TEXT.test(l.value))) return [];
  const vals = new Assignments(code, style);
  const commands: Word[][] = [];
  for (const lit of lits) {
    if (TOOL_IN_TEXT.test(lit.value)) commands.push(...shellCommands({ text: lit.value, map: lit.map }, 'sh'));
  }
  const pairs = bracketPairs(code, style);
  const litAt = new Map<number, StringLit>(lits.map((l) => [l.start, l]));
  for (const lit of lits) {
    if (!TOOL.test(lit.value)) continue;
    // the innermost bracket around the literal holds the argument list
    let open = -1;
    for (const [o, c] of pairs) if (o < lit.start && c > lit.start && o > open) open = o;
    if (open < 0) continue;
    const { args } = splitArgs(code, open, style);
    const idx = args.findIndex((a) => a.start === lit.start);
    if (idx < 0) continue;
    commands.push(args.slice(idx).map((a) => argWord(a, litAt)));
  }
  // words naming variables resolve through the program's own string assignments
  const resolve = (name: string) => vals.stringValue(name, code.length);
  return evaluateCommands(file, text, commands, resolve);
}

function argWord(a: { text: string; start: number; end: number }, litAt: Map<number, StringLit>): Word {
  const lit = litAt.get(a.start);
  if (lit && lit.end === a.end) return { value: lit.value, raw: a.text, start: a.start, end: a.end, literal: true };
  const w: Word = { value: a.text, raw: a.text, start: a.start, end: a.end, literal: false };
  if (/^[A-Za-z_]\w*$/.test(a.text)) w.varName = a.text;
  return w;
}

function bracketPairs(code: string, style: CommentStyle): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  const stack: number[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'" || (c === '`' && style === 'go')) { i = skipString(code, i, style); continue; }
    if (c === '(' || c === '[' || c === '{') stack.push(i);
    else if ((c === ')' || c === ']' || c === '}') && stack.length) pairs.push([stack.pop() as number, i]);
    i++;
  }
  return pairs;
}
