-- Headless Neovim test: loads editors/nvim, opens a bad Dockerfile and checks that
-- Plimsoll's diagnostics arrive at the right place, then that an edit clears one.
--
--   PLIMSOLL_BIN=target/debug/plimsoll nvim --headless -u NONE -i NONE \
--     -c 'luafile editors/nvim/test/diagnostics.lua'
--
-- Exits 0 when every check passes, 1 otherwise (with the failures on stderr). Runs on
-- Neovim 0.7 (vim.lsp.start_client, diagnostics pushed) and on newer ones (vim.lsp.start,
-- UTF-8 positions, diagnostics pulled).

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    io.stdout:write('ok - ' .. name .. '\n')
  else
    failed = failed + 1
    io.stderr:write('FAIL - ' .. name .. (detail and (': ' .. detail) or '') .. '\n')
  end
end

local function finish()
  io.stdout:write(string.format('%d passed, %d failed\n', passed, failed))
  vim.cmd(failed == 0 and 'qall!' or 'cquit! 1')
end

local ok, err = pcall(function()
  local script = debug.getinfo(1, 'S').source:sub(2)
  local nvim_dir = vim.fn.fnamemodify(script, ':p:h:h')
  local repo = vim.fn.fnamemodify(nvim_dir, ':h:h')
  local bin = os.getenv('PLIMSOLL_BIN') or (repo .. '/target/debug/plimsoll')
  vim.opt.runtimepath:prepend(nvim_dir)
  vim.cmd('filetype on')

  require('plimsoll').setup({ cmd = { bin, 'lsp' }, settings = { failLevel = 'info' } })

  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  -- `é` before the package makes byte and UTF-16 columns differ.
  local lines = {
    'FROM debian:12',
    'RUN apt-get update && apt-get install -y "é" curl',
  }
  vim.fn.writefile(lines, dir .. '/Dockerfile')
  vim.cmd('edit ' .. dir .. '/Dockerfile')
  check('filetype is dockerfile', vim.bo.filetype == 'dockerfile', vim.bo.filetype)

  local function curl_diagnostic()
    for _, d in ipairs(vim.diagnostic.get(0)) do
      if d.code == 'PL103' and d.message:find('curl', 1, true) then
        return d
      end
    end
  end

  local arrived = vim.wait(20000, function()
    return curl_diagnostic() ~= nil
  end, 50)
  check('diagnostics arrive', arrived, vim.inspect(vim.diagnostic.get(0)))
  local d = curl_diagnostic()
  if d then
    local byte_col = lines[2]:find('curl', 1, true) - 1
    check('on the package name (line and byte column)', d.lnum == 1 and d.col == byte_col and d.end_col == byte_col + 4,
      vim.inspect({ d.lnum, d.col, d.end_col, byte_col }))
    check('as a warning', d.severity == vim.diagnostic.severity.WARN, tostring(d.severity))
    check('from plimsoll', d.source == 'plimsoll', tostring(d.source))
  end

  -- Pin curl; the finding must go away.
  vim.api.nvim_buf_set_text(0, 1, #lines[2], 1, #lines[2], { '=7.88.1-10' })
  local cleared = vim.wait(20000, function()
    return curl_diagnostic() == nil
  end, 50)
  check('an edit re-lints', d ~= nil and cleared, vim.inspect(vim.diagnostic.get(0)))

  local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get_clients()
  check('one plimsoll client', #clients == 1 and clients[1].name == 'plimsoll', tostring(#clients))
  if clients[1] then
    local v = vim.version()
    io.stdout:write(string.format('# Neovim %d.%d.%d, positions in %s\n', v.major, v.minor, v.patch, tostring(clients[1].offset_encoding)))
  end
  for _, client in ipairs(clients) do
    vim.lsp.stop_client(client.id)
  end
  vim.wait(5000, function()
    return #get_clients() == 0
  end, 50)
end)
if not ok then
  check('test ran to the end', false, tostring(err))
end
finish()
