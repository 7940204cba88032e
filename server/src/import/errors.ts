// The one error kind of `datapath-lens import`: it names the file (or command) and what is wrong.
export class ImportError extends Error {}
