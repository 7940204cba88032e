// Markdown building blocks for hovers: the core never formats Markdown, so escaping, code
// spans and tables live here. Names written by users (devices, namespaces, programs, files)
// always go through `code` or `escape`.
import { MarkupKind, type Hover, type Range } from 'vscode-languageserver';

/** Escapes the characters that would start Markdown (or HTML) inside running text. */
export function escape(text: string): string {
  return text
    .replace(/[\\`*[\]{}<>|#~]/g, (c) => `\\${c}`)
    // An underscore between two letters or digits can neither open nor close emphasis
    // (CommonMark), so kernel names like sched_cls stay readable; others are escaped.
    .replace(/_/g, (c, i: number, s: string) => (/[A-Za-z0-9]/.test(s[i - 1] ?? '') && /[A-Za-z0-9]/.test(s[i + 1] ?? '') ? c : '\\_'))
    .replace(/\r?\n/g, ' ');
}

/** An inline code span that shows `text` verbatim, whatever backticks it holds. */
export function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const runs = clean.match(/`+/g) ?? [];
  const fence = '`'.repeat(runs.reduce((n, r) => Math.max(n, r.length), 0) + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

export const bold = (text: string): string => `**${escape(text)}**`;

/** A Markdown table; cells are Markdown already (use `code` / `escape` for user text). */
export function table(headers: string[], rows: string[][]): string {
  const cell = (c: string) => c.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|') || ' ';
  const out = [`| ${headers.map(cell).join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${headers.map((_, i) => cell(r[i] ?? '')).join(' | ')} |`);
  return out.join('\n');
}

/** A bullet list; items are Markdown already. */
export function bullets(items: string[]): string {
  return items.map((i) => `- ${i}`).join('\n');
}

/** Joins non-empty blocks with blank lines between them. */
export function blocks(...parts: Array<string | undefined | false | null>): string {
  return parts.filter((p): p is string => !!p && p.trim().length > 0).join('\n\n');
}

export function markdownHover(value: string, range?: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, ...(range ? { range } : {}) };
}

/** `Ingress` / `Egress` for a role word. */
export function roleName(role: string): string {
  return role === 'ingress' ? 'Ingress' : role === 'egress' ? 'Egress' : role;
}
