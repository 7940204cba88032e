// Dockerfiles / Containerfiles: RUN, CMD and ENTRYPOINT in shell form are shell text
// (RUN is skipped like a keyword); the exec form `RUN ["tc", "filter", ...]` is a JSON
// argument list, read like a YAML flow sequence.

import type { LoaderEvidence } from './evidence';
import { evaluateCommands, shellAssignments, variableResolver } from './shell';
import { shellCommands, type Word } from './shell-words';
import { flowSequence } from './yaml';

export function scanDockerfile(file: string, text: string): LoaderEvidence[] {
  let shellText = text;
  const argvs: Word[][] = [];
  for (const m of text.matchAll(/^[ \t]*(?:RUN|CMD|ENTRYPOINT)[ \t]+(?:--\S+[ \t]+)*(?=\[)/gim)) {
    const open = (m.index ?? 0) + m[0].length;
    const f = flowSequence(text, open);
    argvs.push(f.words);
    // the JSON array is not shell: blank it (same length) for the shell pass
    shellText = shellText.slice(0, open) + shellText.slice(open, f.end).replace(/[^\n]/g, ' ') + shellText.slice(f.end);
    for (const s of f.strings) argvs.push(...shellCommands(s, 'sh'));
  }
  const commands = [...shellCommands({ text: shellText }, 'sh'), ...argvs];
  return evaluateCommands(file, text, commands, variableResolver(shellAssignments(commands)));
}
