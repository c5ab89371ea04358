// The configuration file as an editor meets it: `plimsoll lsp` (the real binary, over stdio)
// finds plimsoll.toml as `plimsoll check` does, asks the client to watch it, and republishes
// when it changes; the editor's settings go on top of it.

'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');
const protocol = require('vscode-languageserver-protocol');

const BIN =
  process.env.PLIMSOLL_BIN ||
  path.resolve(__dirname, '..', '..', 'target', 'debug', 'plimsoll');
const TIMEOUT_MS = 15000;
const TEXT = 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n';

test('plimsoll.toml: found, watched, reloaded; client settings on top', async (t) => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'plimsoll-lsp-config-'));
  t.after(() => fs.rmSync(workspace, { recursive: true, force: true }));
  const configPath = path.join(workspace, 'plimsoll.toml');
  fs.writeFileSync(configPath, 'ignore = ["PL103"]\n');
  fs.mkdirSync(path.join(workspace, 'svc'));
  const dockerfile = path.join(workspace, 'svc', 'Dockerfile');
  fs.writeFileSync(dockerfile, TEXT);
  const uri = pathToFileURL(dockerfile).href;
  const configUri = pathToFileURL(configPath).href;

  let stderr = '';
  const server = spawn(BIN, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );

  // Every publish for the document, and waiters for the next one that passes a test.
  const waiters = [];
  connection.onNotification(protocol.PublishDiagnosticsNotification.type, (params) => {
    if (params.uri !== uri) return;
    for (const w of [...waiters]) {
      if (w.accept(params.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params.diagnostics);
      }
    }
  });
  const published = (what, accept) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics ${what}; stderr:\n${stderr}`)),
        TIMEOUT_MS,
      );
      waiters.push({
        accept,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  const messages = [];
  connection.onNotification(protocol.ShowMessageNotification.type, (m) => messages.push(m));
  let registrations = [];
  connection.onRequest(protocol.RegistrationRequest.type, (params) => {
    registrations = registrations.concat(params.registrations);
    return null;
  });
  connection.listen();

  await connection.sendRequest(protocol.InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'w' }],
    capabilities: {
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
  });
  await connection.sendNotification(protocol.InitializedNotification.type, {});
  const codes = (diagnostics) => diagnostics.map((d) => d.code);

  // The file's `ignore` applies.
  const opened = published('on open', () => true);
  await connection.sendNotification(protocol.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'dockerfile', version: 1, text: TEXT },
  });
  const first = await opened;
  assert.ok(!codes(first).includes('PL103'), JSON.stringify(codes(first)));
  assert.ok(codes(first).includes('PL204'), JSON.stringify(codes(first)));

  // The server asked to watch configuration files; the pattern matches plimsoll.toml.
  const watch = registrations.find(
    (r) => r.method === protocol.DidChangeWatchedFilesNotification.type.method,
  );
  assert.ok(watch, JSON.stringify(registrations));
  const patterns = watch.registerOptions.watchers.map((w) => w.globPattern);
  assert.ok(patterns.some((p) => p.includes('plimsoll.toml')), JSON.stringify(patterns));

  // The file changes: the rule is back, republished without an edit.
  fs.writeFileSync(configPath, 'ignore = ["PL204"]\nfail-level = "error"\n');
  const reloaded = published('after the change', (d) => codes(d).includes('PL103'));
  await connection.sendNotification(protocol.DidChangeWatchedFilesNotification.type, {
    changes: [{ uri: configUri, type: protocol.FileChangeType.Changed }],
  });
  const second = await reloaded;
  assert.ok(!codes(second).includes('PL204'), JSON.stringify(codes(second)));
  // Below the file's fail level (error): hints.
  assert.ok(second.every((d) => d.severity === protocol.DiagnosticSeverity.Hint), JSON.stringify(second));

  // The editor's settings go on top: its fail level wins, its ignore adds to the file's.
  const resettled = published('after the settings', (d) => !codes(d).includes('PL202'));
  await connection.sendNotification(protocol.DidChangeConfigurationNotification.type, {
    settings: { plimsoll: { ignore: ['PL202'], failLevel: 'warning' } },
  });
  const third = await resettled;
  assert.ok(!codes(third).includes('PL204'), 'the file still applies');
  const curl = third.find((d) => d.code === 'PL103');
  assert.equal(curl.severity, protocol.DiagnosticSeverity.Warning);

  // A broken file is reported to the user.
  fs.writeFileSync(configPath, 'select = ["NOPE1"]\n');
  await connection.sendNotification(protocol.DidChangeWatchedFilesNotification.type, {
    changes: [{ uri: configUri, type: protocol.FileChangeType.Changed }],
  });
  const deadline = Date.now() + TIMEOUT_MS;
  while (!messages.some((m) => m.type === protocol.MessageType.Error) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const error = messages.find((m) => m.type === protocol.MessageType.Error);
  assert.ok(error, `no error message; stderr:\n${stderr}`);
  assert.match(error.message, /plimsoll\.toml:1:\d+: .*NOPE1/);

  await connection.sendRequest(protocol.ShutdownRequest.type);
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  await connection.sendNotification(protocol.ExitNotification.type);
  assert.equal(await exited, 0);
  connection.dispose();
});
