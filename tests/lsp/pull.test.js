// Pull diagnostics as VS Code's client uses them (textDocument/diagnostic with result ids),
// against the real `plimsoll lsp` binary over stdio.

'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');
const protocol = require('vscode-languageserver-protocol');

const BIN =
  process.env.PLIMSOLL_BIN ||
  path.resolve(__dirname, '..', '..', 'target', 'debug', 'plimsoll');
const URI = 'untitled:pull/Dockerfile';

test('pulled diagnostics: full report, unchanged report, then a new one after an edit', async () => {
  const server = spawn(BIN, ['lsp'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );
  let pushed = 0;
  connection.onNotification(protocol.PublishDiagnosticsNotification.type, () => {
    pushed += 1;
  });
  connection.listen();
  const init = await connection.sendRequest(protocol.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } } },
  });
  assert.equal(init.capabilities.diagnosticProvider.identifier, 'plimsoll');
  await connection.sendNotification(protocol.InitializedNotification.type, {});
  await connection.sendNotification(protocol.DidOpenTextDocumentNotification.type, {
    textDocument: {
      uri: URI,
      languageId: 'dockerfile',
      version: 1,
      text: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n',
    },
  });

  const pull = (previousResultId) =>
    connection.sendRequest(protocol.DocumentDiagnosticRequest.type, {
      textDocument: { uri: URI },
      previousResultId,
    });
  const first = await pull();
  assert.equal(first.kind, 'full');
  assert.ok(first.items.some((d) => d.code === 'PL103'), JSON.stringify(first.items));
  const second = await pull(first.resultId);
  assert.deepEqual(second, { kind: 'unchanged', resultId: first.resultId });

  await connection.sendNotification(protocol.DidChangeTextDocumentNotification.type, {
    textDocument: { uri: URI, version: 2 },
    contentChanges: [{ text: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n' }],
  });
  const third = await pull(first.resultId);
  assert.equal(third.kind, 'full');
  assert.notEqual(third.resultId, first.resultId);
  assert.ok(!third.items.some((d) => d.code === 'PL103'), JSON.stringify(third.items));
  assert.equal(pushed, 0, 'a client that pulls is not also pushed to');

  await connection.sendRequest(protocol.ShutdownRequest.type);
  const exited = new Promise((resolve) => server.on('exit', resolve));
  await connection.sendNotification(protocol.ExitNotification.type);
  assert.equal(await exited, 0);
  connection.dispose();
});
