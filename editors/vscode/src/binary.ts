// Which `plimsoll` binary to start. Kept free of the `vscode` module so it can be tested
// with plain Node.

import * as fs from 'fs';
import * as path from 'path';

export interface Lookup {
  /** The `plimsoll.path` setting (may be empty). */
  configured: string;
  /** The extension's install directory. */
  extensionDir: string;
  platform: string;
  arch: string;
  /** The workspace folder, for a relative `plimsoll.path`. */
  workspaceDir?: string;
  exists?: (file: string) => boolean;
}

export interface Resolved {
  command: string;
  /** Where the choice came from, for the log. */
  source: 'setting' | 'bundled' | 'PATH';
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function executableName(platform: string): string {
  return platform === 'win32' ? 'plimsoll.exe' : 'plimsoll';
}

/**
 * `plimsoll.path` when set (relative paths are taken from the workspace folder; a bare name
 * is looked up on the PATH), else a binary bundled in the extension under
 * `bin/<platform>-<arch>/` or `bin/`, else `plimsoll` on the PATH.
 */
export function resolveBinary(lookup: Lookup): Resolved {
  const exists = lookup.exists ?? isFile;
  const configured = lookup.configured.trim();
  if (configured !== '') {
    const isBareName = !configured.includes('/') && !configured.includes('\\');
    if (isBareName || path.isAbsolute(configured) || !lookup.workspaceDir) {
      return { command: configured, source: 'setting' };
    }
    return { command: path.join(lookup.workspaceDir, configured), source: 'setting' };
  }
  const name = executableName(lookup.platform);
  const candidates = [
    path.join(lookup.extensionDir, 'bin', `${lookup.platform}-${lookup.arch}`, name),
    path.join(lookup.extensionDir, 'bin', name),
  ];
  for (const candidate of candidates) {
    if (exists(candidate)) {
      return { command: candidate, source: 'bundled' };
    }
  }
  return { command: name, source: 'PATH' };
}

/**
 * The settings sent to the server: the `plimsoll` section without client-only keys, and
 * without an empty `failLevel` (the configuration file's then applies).
 */
export function serverSettings(section: Record<string, unknown>): Record<string, unknown> {
  const { path: _path, trace: _trace, ...rest } = section;
  if (rest.failLevel === '' || rest.failLevel === undefined) {
    delete rest.failLevel;
  }
  return rest;
}
