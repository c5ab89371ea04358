// Drives the real `plimsoll lsp` binary over stdio with vscode-jsonrpc and
// vscode-languageserver-protocol — the libraries VS Code's client is built on — and applies
// edits with vscode-languageserver-textdocument, an implementation of positions independent
// of the server's.
//
// Run: cargo build && (cd tests/lsp && npm ci && npm test)
// PLIMSOLL_BIN overrides the binary (default: target/debug/plimsoll).

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');
const protocol = require('vscode-languageserver-protocol');
const { TextDocument } = require('vscode-languageserver-textdocument');

const BIN =
  process.env.PLIMSOLL_BIN ||
  path.resolve(__dirname, '..', '..', 'target', 'debug', 'plimsoll');
const URI = 'file:///nonexistent/plimsoll-node-test/Dockerfile';
const TIMEOUT_MS = 15000;

// Line 1 has non-ASCII text before the finding: UTF-16 columns differ from bytes.
const TEXT = [
  'ARG VERSION=1.2',
  'FROM golang:${VERSION} AS build',
  'RUN apt-get update && apt-get install -y "é😀" curl',
  'FROM scratch',
  'COPY --from=build /out /out',
  '',
].join('\n');

let server;
let connection;
let stderr = '';
const published = [];
const waiters = [];

function onPublish(params) {
  published.push(params);
  for (const w of [...waiters]) {
    if (w.accept(params)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(params);
    }
  }
}

/** The diagnostics published for `version`, waiting for them if need be. */
function diagnosticsFor(version) {
  const accept = (p) => p.uri === URI && p.version === version;
  const found = published.find(accept);
  if (found) return Promise.resolve(found.diagnostics);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no diagnostics for version ${version}; stderr:\n${stderr}`)),
      TIMEOUT_MS,
    );
    waiters.push({
      accept,
      resolve: (p) => {
        clearTimeout(timer);
        resolve(p.diagnostics);
      },
    });
  });
}

function codeOf(d) {
  return typeof d.code === 'string' ? d.code : String(d.code);
}

let document = TextDocument.create(URI, 'dockerfile', 1, TEXT);

function change(edits, version) {
  document = TextDocument.update(document, edits, version);
  return connection.sendNotification(protocol.DidChangeTextDocumentNotification.type, {
    textDocument: { uri: URI, version },
    contentChanges: edits,
  });
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `${BIN} not found: run cargo build first`);
  server = spawn(BIN, ['lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );
  connection.onNotification(protocol.PublishDiagnosticsNotification.type, onPublish);
  connection.listen();
  const result = await connection.sendRequest(protocol.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      general: { positionEncodings: ['utf-16'] },
      workspace: { workspaceEdit: { documentChanges: true } },
      textDocument: {
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { versionSupport: true },
      },
    },
    initializationOptions: { failLevel: 'info' },
  });
  assert.equal(result.capabilities.positionEncoding, 'utf-16');
  assert.equal(result.serverInfo.name, 'plimsoll');
  await connection.sendNotification(protocol.InitializedNotification.type, {});
});

after(async () => {
  if (!connection) return;
  await connection.sendRequest(protocol.ShutdownRequest.type);
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  await connection.sendNotification(protocol.ExitNotification.type);
  assert.equal(await exited, 0, 'exit code after shutdown and exit');
  connection.dispose();
});

test('open: diagnostics with exact UTF-16 ranges, severities, codes and links', async () => {
  await connection.sendNotification(protocol.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: URI, languageId: 'dockerfile', version: 1, text: TEXT },
  });
  const diagnostics = await diagnosticsFor(1);
  const curl = diagnostics.find((d) => codeOf(d) === 'PL103' && d.message.includes('curl'));
  assert.ok(curl, JSON.stringify(diagnostics, null, 1));
  const line = TEXT.split('\n')[2];
  // JavaScript string indices are UTF-16 code units: the client's own count.
  const column = line.indexOf('curl');
  assert.deepEqual(curl.range, {
    start: { line: 2, character: column },
    end: { line: 2, character: column + 4 },
  });
  assert.equal(document.getText(curl.range), 'curl');
  assert.equal(curl.severity, protocol.DiagnosticSeverity.Warning);
  assert.equal(curl.source, 'plimsoll');
  assert.match(curl.codeDescription.href, /PL103/);
});

test('edit: incremental change re-lints the new version', async () => {
  // Pin curl: `curl` → `curl=7.88.1-10`.
  const line = document.getText().split('\n')[2];
  const end = line.length;
  await change([{ range: { start: { line: 2, character: end }, end: { line: 2, character: end } }, text: '=7.88.1-10' }], 2);
  const diagnostics = await diagnosticsFor(2);
  assert.ok(
    !diagnostics.some((d) => codeOf(d) === 'PL103' && d.message.includes('curl')),
    JSON.stringify(diagnostics, null, 1),
  );
  // The quoted package is still unpinned and still reported, at its UTF-16 range.
  const emoji = diagnostics.find((d) => codeOf(d) === 'PL103');
  assert.ok(emoji, 'the quoted package is still reported');
  assert.equal(document.getText(emoji.range), '"é😀"');
});

test('code action: apply the ignore pragma and the finding goes away', async () => {
  const before = await diagnosticsFor(2);
  const target = before.find((d) => codeOf(d) === 'PL103');
  const actions = await connection.sendRequest(protocol.CodeActionRequest.type, {
    textDocument: { uri: URI },
    range: target.range,
    context: { diagnostics: [target] },
  });
  const ignore = actions.find((a) => a.title === 'Plimsoll (PL103): ignore for this instruction');
  assert.ok(ignore, JSON.stringify(actions, null, 1));
  assert.equal(ignore.kind, 'quickfix');
  const [docEdit] = ignore.edit.documentChanges;
  assert.equal(docEdit.textDocument.version, 2);
  const fixed = TextDocument.applyEdits(document, docEdit.edits);
  assert.equal(fixed.split('\n')[2], '# plimsoll: ignore=PL103');
  // Send the edits as the editor would: incremental changes.
  await change(docEdit.edits.map((e) => ({ range: e.range, text: e.newText })), 3);
  assert.equal(document.getText(), fixed);
  const after = await diagnosticsFor(3);
  assert.ok(!after.some((d) => codeOf(d) === 'PL103'), JSON.stringify(after, null, 1));
  assert.equal(after.length, before.length - 1);
});

test('hover: resolved variable value and rule docs', async () => {
  // `${VERSION}` on line 1.
  const line = document.getText().split('\n')[1];
  const hover = await connection.sendRequest(protocol.HoverRequest.type, {
    textDocument: { uri: URI },
    position: { line: 1, character: line.indexOf('VERSION') + 2 },
  });
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /`1\.2`/);
  assert.equal(document.getText(hover.range), 'VERSION');
  const copyLine = document.getText().split('\n').findIndex((l) => l.startsWith('COPY'));
  const keyword = await connection.sendRequest(protocol.HoverRequest.type, {
    textDocument: { uri: URI },
    position: { line: copyLine, character: 1 },
  });
  assert.match(keyword.contents.value, /COPY/);
});

test('definition: from COPY --from=build to the stage name', async () => {
  const lines = document.getText().split('\n');
  const copyLine = lines.findIndex((l) => l.startsWith('COPY'));
  const definition = await connection.sendRequest(protocol.DefinitionRequest.type, {
    textDocument: { uri: URI },
    position: { line: copyLine, character: lines[copyLine].indexOf('build') + 1 },
  });
  const location = Array.isArray(definition) ? definition[0] : definition;
  assert.equal(location.uri, URI);
  assert.equal(location.range.start.line, 1);
  assert.equal(document.getText(location.range), 'build');
});

test('a malformed request is answered with an error and the session goes on', async () => {
  await assert.rejects(
    connection.sendRequest('textDocument/hover', { textDocument: 42 }),
    (e) => e.code === rpc.ErrorCodes.InvalidParams,
  );
  const symbols = await connection.sendRequest(protocol.DocumentSymbolRequest.type, {
    textDocument: { uri: URI },
  });
  assert.ok(symbols.length >= 2);
});
