// Tests the binary lookup (compiled to out/) without VS Code: `npm test`.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { resolveBinary, serverSettings } = require('../out/binary');

const ext = path.join(path.sep, 'ext');

test('a configured path wins; relative paths are taken from the workspace', () => {
  const base = { extensionDir: ext, platform: 'linux', arch: 'x64', exists: () => true };
  assert.deepEqual(resolveBinary({ ...base, configured: '/opt/plimsoll' }), {
    command: '/opt/plimsoll',
    source: 'setting',
  });
  assert.deepEqual(
    resolveBinary({ ...base, configured: 'tools/plimsoll', workspaceDir: '/w' }),
    { command: path.join('/w', 'tools/plimsoll'), source: 'setting' },
  );
  assert.equal(resolveBinary({ ...base, configured: 'plimsoll-dev' }).command, 'plimsoll-dev');
});

test('a bundled binary for the platform, then a generic one, then the PATH', () => {
  const platformBin = path.join(ext, 'bin', 'win32-arm64', 'plimsoll.exe');
  const genericBin = path.join(ext, 'bin', 'plimsoll');
  const lookup = (files, platform = 'linux', arch = 'x64') =>
    resolveBinary({ configured: ' ', extensionDir: ext, platform, arch, exists: (f) => files.includes(f) });
  assert.deepEqual(lookup([platformBin], 'win32', 'arm64'), { command: platformBin, source: 'bundled' });
  assert.deepEqual(lookup([genericBin]), { command: genericBin, source: 'bundled' });
  assert.deepEqual(lookup([]), { command: 'plimsoll', source: 'PATH' });
  assert.deepEqual(lookup([], 'win32'), { command: 'plimsoll.exe', source: 'PATH' });
});

test('client-only settings are not sent to the server', () => {
  assert.deepEqual(serverSettings({ path: '/x', trace: { server: 'off' }, select: ['PL1'] }), {
    select: ['PL1'],
  });
});

test('an empty fail level is left to the configuration file', () => {
  assert.deepEqual(serverSettings({ failLevel: '', ignore: [] }), { ignore: [] });
  assert.deepEqual(serverSettings({ failLevel: 'warning' }), { failLevel: 'warning' });
});
