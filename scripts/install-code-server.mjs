#!/usr/bin/env node
// Installs code-server (and, as root on Debian, the packages its install needs) into the cache
// folder unless it is already there; prints its path. Used by .ci/run before the end-to-end suite.
import { ensureCodeServer } from './code-server.mjs';

try {
  console.log(`code-server: ${ensureCodeServer()}`);
} catch (e) {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(1);
}
