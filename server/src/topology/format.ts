// The canonical layout of a topology file: one space between tokens, comments kept (one space
// before a trailing one, none before a comment line), no trailing white space, at most one
// blank line in a row, a final newline. Tokens are copied verbatim from the source (strings
// with their quotes), so the meaning never changes: the lexer reads the result as the input.
import { lexLine } from './lex';

export function formatTopology(text: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let blank = false;
  for (const raw of text.split('\n')) {
    const line = formatLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (line === '') {
      blank = out.length > 0;
      continue;
    }
    if (blank) out.push('');
    blank = false;
    out.push(line);
  }
  return out.length ? out.join(eol) + eol : '';
}

function formatLine(line: string): string {
  const { tokens, unterminated } = lexLine(line, 0);
  // A line with an open string is an error the user still has to see as written.
  if (unterminated) return line.trimEnd();
  const body = tokens.map((t) => line.slice(t.start, t.end)).join(' ');
  const after = tokens.length ? tokens[tokens.length - 1].end : 0;
  const hash = line.indexOf('#', after);
  const comment = hash >= 0 ? line.slice(hash).trimEnd() : '';
  if (!body) return comment;
  return comment ? `${body} ${comment}` : body;
}
