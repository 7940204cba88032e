// What `import` reads, per namespace, as the text of the files of a dump (dump-layout.ts):
// the live reader runs the commands and the dump reader reads the files; both give this.
export interface RawNamespace {
  /** The namespace's real name; '' for the root namespace. */
  name: string;
  /** The text of one dump file (link.json, tc-eth0-ingress.json, ...), or undefined when absent. */
  read(file: string): string | undefined;
  /** How to name that file (or the command behind it) in messages. */
  where(file: string): string;
  /** What could not be read (without root, no bpftool), said in the output. */
  unreadable: string[];
}

export interface RawMachine {
  /** Where it came from, for the header comment. */
  source: string;
  namespaces: RawNamespace[];
}
