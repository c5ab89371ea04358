-- Plimsoll for Neovim: starts `plimsoll lsp` for Dockerfiles.
--
--   require('plimsoll').setup({
--     cmd = { 'plimsoll', 'lsp' },          -- or a full path to the binary
--     settings = { select = { 'ALL' }, ignore = { 'PL102' }, failLevel = 'warning' },
--   })
--
-- Works on Neovim 0.7 (vim.lsp.start_client + buf_attach_client from a FileType
-- autocommand) and on 0.8 and newer (vim.lsp.start, which reuses a client per root).

local M = {}

local uv = vim.uv or vim.loop

local defaults = {
  name = 'plimsoll',
  cmd = { 'plimsoll', 'lsp' },
  filetypes = { 'dockerfile' },
  -- Files that mark a project root; the file's directory is used when none is found.
  root_markers = { '.git', '.hg', '.jj' },
  -- The `plimsoll` settings section: select, extendSelect, ignore, failLevel, buildArgs,
  -- ruleDocsUrl (see `plimsoll lsp --help`).
  settings = {},
  on_attach = nil,
  capabilities = nil,
}

local function root_dir(bufnr, markers)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local dir = path ~= '' and vim.fn.fnamemodify(path, ':p:h') or uv.cwd()
  local current = dir
  while current and current ~= '' do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(current .. '/' .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ':h')
    if parent == current then
      break
    end
    current = parent
  end
  return dir
end

-- Plimsoll lints *.containerfile and *.dockerfile too; older Neovims do not know them.
local function add_filetypes()
  -- 0.7 has vim.filetype.add, but only uses it with g:do_filetype_lua set.
  if vim.fn.has('nvim-0.8') == 1 then
    vim.filetype.add({
      extension = { containerfile = 'dockerfile', dockerfile = 'dockerfile' },
    })
  else
    vim.cmd([[
      augroup plimsoll_filetype
        autocmd!
        autocmd BufNewFile,BufRead *.containerfile,*.dockerfile setfiletype dockerfile
      augroup END
    ]])
  end
end

local function client_config(opts, bufnr)
  return {
    name = opts.name,
    cmd = opts.cmd,
    root_dir = root_dir(bufnr, opts.root_markers),
    -- Sent at start-up and answered to workspace/configuration (section `plimsoll`).
    init_options = opts.settings,
    settings = { plimsoll = opts.settings },
    capabilities = opts.capabilities,
    on_attach = opts.on_attach,
  }
end

-- Neovim 0.7: one client per root directory, started on first use.
local clients_by_root = {}

local function attach_07(opts, bufnr)
  local config = client_config(opts, bufnr)
  local id = clients_by_root[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    if not id then
      vim.notify('plimsoll: could not start `' .. table.concat(opts.cmd, ' ') .. '`', vim.log.levels.ERROR)
      return
    end
    clients_by_root[config.root_dir] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

function M.attach(opts, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].buftype ~= '' then
    return
  end
  if vim.lsp.start then
    vim.lsp.start(client_config(opts, bufnr), { bufnr = bufnr })
  else
    attach_07(opts, bufnr)
  end
end

function M.setup(user)
  local opts = vim.tbl_deep_extend('force', defaults, user or {})
  if vim.fn.executable(opts.cmd[1]) ~= 1 then
    vim.notify('plimsoll: `' .. opts.cmd[1] .. '` is not executable; set `cmd`', vim.log.levels.WARN)
  end
  add_filetypes()
  local group = vim.api.nvim_create_augroup('plimsoll_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      M.attach(opts, args.buf)
    end,
  })
  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      M.attach(opts, bufnr)
    end
  end
end

return M
