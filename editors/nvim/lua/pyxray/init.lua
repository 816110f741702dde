-- pyxray for Neovim: the client configuration (shared by lsp/pyxray.lua on 0.11+ and by setup()
-- on older releases), server discovery with a readable error, and the small compatibility layer
-- the rest of the plugin uses to find its client and send requests on Neovim 0.7 to 0.11+.

local M = {}

M.README = "https://github.com/pyxray/pyxray#editors"

local defaults = {
  -- The `pyxray` executable; nil: vim.g.pyxray_path, else `pyxray` on PATH.
  path = nil,
  -- "auto" (read per file from .venv/pyvenv.cfg, .python-version or pyproject.toml; nothing found
  -- there is run), "3.11", "3.12", "3.13" or "3.14".
  python_version = "auto",
  -- With "auto", when no project file names a version, ask the python3 on the server's PATH.
  detect_from_path = false,
  -- One switch per diagnostic, e.g. { ["is-literal"] = false }; all on by default.
  diagnostics = {},
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".python-version", ".git" },
}

M.options = vim.deepcopy(defaults)

local function notify(message, level)
  vim.schedule(function()
    vim.notify(message, level or vim.log.levels.ERROR, { title = "pyxray" })
  end)
end

--- The server executable, or nil and why there is none.
function M.server_path()
  local path = M.options.path or vim.g.pyxray_path
  if path ~= nil and path ~= "" then
    if vim.fn.executable(path) == 1 then
      return path
    end
    return nil, ("pyxray: the server path %q (setup{ path = ... } or vim.g.pyxray_path) is not an executable file. See %s"):format(path, M.README)
  end
  if vim.fn.executable("pyxray") == 1 then
    return vim.fn.exepath("pyxray")
  end
  return nil, "pyxray: no `pyxray` executable on PATH; install it or set setup{ path = ... }. See " .. M.README
end

--- The settings the server reads (README, "Settings").
function M.settings()
  local diagnostics = next(M.options.diagnostics) and M.options.diagnostics or vim.empty_dict()
  return {
    pyxray = {
      pythonVersion = M.options.python_version,
      detectFromPath = M.options.detect_from_path,
      diagnostics = diagnostics,
    },
  }
end

--- The client configuration: a table for vim.lsp.config / vim.lsp.start / vim.lsp.start_client.
function M.config()
  local path, err = M.server_path()
  if not path then
    notify(err)
  end
  return {
    name = "pyxray",
    cmd = { path or "pyxray", "server" },
    filetypes = { "python" },
    root_markers = M.options.root_markers,
    -- Only as initializationOptions: `settings` would be sent again right after, and the server
    -- would repeat any warning about them.
    init_options = M.settings(),
    -- Asks for pyxray/status notifications (the CPython version per buffer, see pyxray.status).
    capabilities = vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), {
      experimental = { pyxrayStatus = true },
    }),
    handlers = {
      ["pyxray/status"] = function(...)
        return require("pyxray.status").on_notification(...)
      end,
    },
    on_exit = function(code, signal)
      if code ~= 0 or (signal ~= 0 and signal ~= 15) then
        notify(("pyxray: the server stopped unexpectedly (exit code %d, signal %d); see :LspLog, and please report it"):format(code, signal))
      end
    end,
  }
end

--- The directory of the first root marker above `bufnr`'s file, else the file's directory.
local function root_dir(bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  local dir = file ~= "" and vim.fn.fnamemodify(file, ":p:h") or vim.fn.getcwd()
  local here = dir
  while true do
    for _, marker in ipairs(M.options.root_markers) do
      if vim.loop.fs_stat(here .. "/" .. marker) then
        return here
      end
    end
    local parent = vim.fn.fnamemodify(here, ":h")
    if parent == here then
      return dir
    end
    here = parent
  end
end

local clients_by_root = {} -- Neovim 0.7: one client per root, reused across buffers

--- Starts (or reuses) the client for a Python buffer: vim.lsp.start on 0.8+, start_client on 0.7.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local config = M.config()
  config.root_dir = root_dir(bufnr)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients_by_root[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Configures pyxray. On 0.11+ it configures and enables lsp/pyxray.lua; before, it starts a
--- client for every Python buffer.
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config("pyxray", M.config())
    vim.lsp.enable("pyxray")
    return
  end
  local group = vim.api.nvim_create_augroup("pyxray", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "python",
    callback = function(args)
      M.start(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "python" then
      M.start(buf)
    end
  end
end

--- The pyxray client attached to `bufnr`, if any.
function M.client(bufnr)
  local clients
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ bufnr = bufnr, name = "pyxray" })
  else
    clients = vim.lsp.buf_get_clients(bufnr)
  end
  for _, client in pairs(clients) do
    if client.name == "pyxray" then
      return client
    end
  end
end

--- The pyxray client attached to `bufnr`, or nil after telling the user there is none.
function M.attached_client(bufnr)
  local client = M.client(bufnr)
  if not client then
    vim.notify("pyxray: no pyxray server is attached to this buffer; see :checkhealth pyxray", vim.log.levels.ERROR)
  end
  return client
end

--- client:notify on 0.11+, client.notify before (the method form is deprecated there).
function M.notify(client, method, params)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

--- client:request on 0.11+, client.request before (the method form is deprecated there).
function M.request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

return M
