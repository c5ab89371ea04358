// The Plimsoll extension: starts `plimsoll lsp` for Dockerfiles and relays settings.

import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { resolveBinary, serverSettings } from './binary';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function settings(): Record<string, unknown> {
  const section = vscode.workspace.getConfiguration('plimsoll');
  return serverSettings({
    select: section.get('select'),
    extendSelect: section.get('extendSelect'),
    ignore: section.get('ignore'),
    failLevel: section.get('failLevel'),
    buildArgs: section.get('buildArgs'),
    ruleDocsUrl: section.get('ruleDocsUrl') || undefined,
  });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const configured = vscode.workspace.getConfiguration('plimsoll').get<string>('path') ?? '';
  const binary = resolveBinary({
    configured,
    extensionDir: context.extensionPath,
    platform: process.platform,
    arch: process.arch,
    workspaceDir: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  });
  output ??= vscode.window.createOutputChannel('Plimsoll');
  output.appendLine(`Starting ${binary.command} lsp (from ${binary.source})`);

  const run = { command: binary.command, args: ['lsp'], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dockerfile' },
      { scheme: 'untitled', language: 'dockerfile' },
    ],
    initializationOptions: settings(),
    outputChannel: output,
    synchronize: { configurationSection: 'plimsoll' },
  };
  client = new LanguageClient('plimsoll', 'Plimsoll', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const message =
      `Plimsoll: could not start \`${binary.command} lsp\` (${String(error)}). ` +
      'Install plimsoll (`cargo install --path .` in its repository) or set `plimsoll.path`.';
    void vscode.window.showErrorMessage(message, 'Open settings').then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'plimsoll.path');
      }
    });
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('plimsoll.restart', async () => {
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand('plimsoll.fixAll', async () => {
      await vscode.commands.executeCommand('editor.action.codeAction', {
        kind: 'source.fixAll.plimsoll',
        apply: 'first',
      });
    }),
    vscode.commands.registerCommand('plimsoll.showLogs', () => output?.show()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // A new binary needs a new process; other settings reach the server by themselves.
      if (event.affectsConfiguration('plimsoll.path')) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export function deactivate(): Thenable<void> | undefined {
  return stop();
}
