// SARIF 2.1.0, the format code-scanning services read.
import type { JsonDiagnostic } from './diagnostics-json';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function toSarif(diags: JsonDiagnostic[], version: string): object {
  const codes = [...new Set(diags.map((d) => d.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'datapath-lens', version, informationUri: 'https://github.com/datapath-lens/datapath-lens', rules: codes.map((id) => ({ id, shortDescription: { text: id } })) } },
      results: diags.map((d) => ({
        ruleId: d.code,
        ruleIndex: codes.indexOf(d.code),
        level: LEVEL[d.severity],
        message: { text: d.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: d.file.split('\\').join('/') },
            region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
          },
        }],
      })),
    }],
  };
}
