// Which of a program's `return`s can run after a given point of its body. A redirect helper
// only records the target; the verdict returned afterwards decides whether the kernel
// redirects (skb_do_redirect runs for TC_ACT_REDIRECT, xdp_do_redirect for XDP_REDIRECT).
// Structured control flow only: branches exclusive of the point are left out, loops count
// whole, and a `goto` anywhere makes the whole body reachable.
import type { Span } from './locations';
import type { Node } from './parser';

const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement']);

/**
 * Spans of the body that may execute after `point` (including the point itself).
 * `hasGoto`: the body jumps with goto, so anything may follow anything.
 */
export function regionsAfter(root: Node, body: Span, point: Span, hasGoto: boolean): Span[] {
  if (hasGoto) return [body];
  const regions: Span[] = [point];
  let child: Node | null = root.descendantForIndex(point.start, Math.max(point.start, point.end - 1));
  while (child && !(child.startIndex <= point.start && child.endIndex >= point.end)) child = child.parent;
  let jump: 'break' | 'continue' | null = null;
  while (child && child.parent && child.startIndex >= body.start && !(child.startIndex === body.start && child.endIndex === body.end)) {
    const parent: Node = child.parent;
    const span = { start: parent.startIndex, end: parent.endIndex };
    switch (parent.type) {
      case 'return_statement':
        regions.push(span);
        return regions;
      case 'compound_statement':
      case 'case_statement':
        if (!jump) {
          const after = followingStatements(parent, child);
          for (const s of after) {
            regions.push({ start: s.startIndex, end: s.endIndex });
            if (s.type === 'break_statement') { jump = 'break'; break; }
            if (s.type === 'continue_statement') { jump = 'continue'; break; }
            if (terminates(s)) return regions;
          }
        }
        break;
      case 'if_statement': {
        const cond = parent.childForFieldName('condition');
        if (cond && child.startIndex === cond.startIndex && !jump) regions.push(span);
        break;
      }
      case 'switch_statement':
        if (jump === 'break') jump = null;
        break;
      default:
        if (LOOPS.has(parent.type)) {
          // The loop may run again from the top, then leave.
          regions.push(span);
          jump = null;
        }
    }
    child = parent;
  }
  return regions;
}

export function inRegions(regions: readonly Span[], at: Span): boolean {
  return regions.some((r) => at.start >= r.start && at.start < r.end);
}

function followingStatements(parent: Node, child: Node): Node[] {
  const out: Node[] = [];
  for (const s of parent.namedChildren) if (s.startIndex >= child.endIndex && s.type !== 'comment') out.push(s);
  return out;
}

/** The statement never completes normally: every path through it returns. */
function terminates(s: Node): boolean {
  switch (s.type) {
    case 'return_statement':
    case 'goto_statement':
      return true;
    case 'compound_statement':
      return s.namedChildren.some((c) => c.type !== 'break_statement' && c.type !== 'continue_statement' && terminates(c));
    case 'if_statement': {
      const alt = s.childForFieldName('alternative');
      const cons = s.childForFieldName('consequence');
      if (!alt || !cons) return false;
      const altBody = alt.type === 'else_clause' ? alt.namedChild(0) : alt;
      return terminates(cons) && !!altBody && terminates(altBody);
    }
  }
  return false;
}
