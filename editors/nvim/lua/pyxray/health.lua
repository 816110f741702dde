-- :checkhealth pyxray: the Neovim version, the server executable and whether it runs, the
-- options, whether a pyxray client is attached to the current buffer, and the CPython version it
-- uses for that buffer and where that version came from.

local M = {}

-- vim.health.start/ok/... since 0.10; report_* on 0.8-0.9; require('health') on 0.7.
local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
  local pyxray = require("pyxray")
  start("pyxray")
  local v = vim.version()
  local version = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.7") == 1 then
    ok("Neovim " .. version .. (vim.lsp.enable and " (lsp/pyxray.lua and vim.lsp.enable)" or " (require('pyxray').setup{})"))
  else
    error("Neovim " .. version .. " is too old: pyxray needs 0.7 or later")
  end

  local path, why = pyxray.server_path()
  if not path then
    error(why)
  else
    local out = vim.fn.system({ path, "--version" })
    if vim.v.shell_error == 0 and out:match("^pyxray") then
      ok(("server: %s (%s)"):format(path, vim.trim(out)))
    else
      error(("server %s does not run: `%s --version` exited with %d: %s"):format(path, path, vim.v.shell_error, vim.trim(out)))
    end
  end

  local known = { auto = true, ["3.11"] = true, ["3.12"] = true, ["3.13"] = true, ["3.14"] = true }
  if known[pyxray.options.python_version] then
    ok("python_version: " .. pyxray.options.python_version)
  else
    warn(("python_version %q is not one of auto, 3.11, 3.12, 3.13, 3.14; the server will use the nearest"):format(tostring(pyxray.options.python_version)))
  end

  if type(pyxray.options.detect_from_path) ~= "boolean" then
    warn(("detect_from_path %q should be true or false"):format(tostring(pyxray.options.detect_from_path)))
  end

  local bufnr = vim.api.nvim_get_current_buf()
  local client = pyxray.client(bufnr)
  if client then
    ok(("client %d is attached to this buffer"):format(client.id))
    local status = vim.b[bufnr].pyxray_status
    if status and status.note then
      warn(status.summary)
    elseif status then
      ok(status.summary)
    else
      info("the server has not said which CPython version this buffer uses yet (:PyxrayStatus asks)")
    end
  else
    info("no pyxray client is attached to the current buffer (open a Python file)")
  end
end

return M
