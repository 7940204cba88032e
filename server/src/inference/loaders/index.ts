// The loader scanners' public face: scan a file, decide whether to, match evidence to programs.

export type { LoaderEvidence, Mechanism } from './evidence';
export { isLoaderCandidate, loaderKind, scanLoaderFile, type LoaderKind } from './scan';
export { evidenceMatchesProgram, objectMatchesSource } from './match';
export { bpf2goIdentifier, cNameCandidates } from './go';
