// dist/server.js: the language server as VS Code's client starts it (node IPC).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all), { wasmDir: __dirname });
