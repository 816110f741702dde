-- Which CPython version pyxray uses for a buffer and where that version came from (the server's
-- `pyxray/status`): its notifications are kept in vim.b.pyxray_status (for a statusline, see
-- statusline()), and :PyxrayStatus detects the version again and shows it.

local pyxray = require("pyxray")

local M = {}

local function remember(bufnr, s)
  local function value(v)
    return v ~= vim.NIL and v or nil
  end
  vim.b[bufnr].pyxray_status = {
    python_version = s.pythonVersion,
    requested = value(s.requested),
    source = s.source,
    note = value(s.note),
    summary = s.summary,
  }
end

--- The handler of the server's pyxray/status notification: keeps it on the buffers showing it.
function M.on_notification(_, result)
  if type(result) ~= "table" or not result.uri then
    return
  end
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.uri_from_bufnr(bufnr) == result.uri then
      remember(bufnr, result)
    end
  end
end

--- For a statusline: "CPython 3.13", "CPython 3.13 (3.12 requested)", or "" before the server said.
function M.statusline(bufnr)
  local s = vim.b[bufnr or vim.api.nvim_get_current_buf()].pyxray_status
  if not s then
    return ""
  end
  local asked = s.note and s.requested and (" (" .. s.requested .. " requested)") or ""
  return ("CPython %s%s"):format(s.python_version, asked)
end

--- :PyxrayStatus: has the server read the project's version files again (as a configuration
--- change does, for clients that do not watch files), then shows the current buffer's version
--- and where it came from.
function M.show()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = pyxray.attached_client(bufnr)
  if not client then
    return
  end
  pyxray.notify(client, "workspace/didChangeConfiguration", { settings = pyxray.settings() })
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  pyxray.request(client, "pyxray/status", params, function(err, result)
    if err or type(result) ~= "table" then
      vim.notify("pyxray: could not get the version status: " .. vim.inspect(err and err.message or result), vim.log.levels.ERROR)
      return
    end
    remember(bufnr, result)
    local level = result.note ~= vim.NIL and vim.log.levels.WARN or vim.log.levels.INFO
    vim.notify("pyxray: " .. result.summary, level)
  end, bufnr)
end

return M
