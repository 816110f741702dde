-- Drives the Neovim plugin (editors/nvim) headless, in Neovim 0.11+ or 0.7:
--   nvim --headless --clean -c "luafile nvim_probe.lua" with
--   PYXRAY_PLUGIN (editors/nvim), PYXRAY_SAMPLE (a copy of sample.py), PYXRAY_BIN (server path),
--   PYXRAY_MODE: "enable" (lsp/pyxray.lua + vim.lsp.enable, 0.11+), "setup" (require('pyxray').setup{}),
--   "bad-path", "bad-version" or "crash" (the readable message for each kind of bad input).
-- Prints one "ok - ..." or "FAILED - ..." line per check on stdout and exits 1 if any failed.

local mode = os.getenv("PYXRAY_MODE")
local label = ("nvim %s %s"):format(tostring(vim.version().major) .. "." .. tostring(vim.version().minor), mode)
local failed = 0
local function report(ok, name, detail)
  if not ok then
    failed = failed + 1
  end
  io.stdout:write(("%s - %s: %s%s\n"):format(ok and "ok" or "FAILED", label, name, ok and "" or ("\n    " .. tostring(detail):gsub("\n", "\n    "))))
end
local function check(name, fn)
  local ok, err = pcall(fn)
  report(ok, name, err)
end
local function wait(what, ms, fn)
  local last
  local done = vim.wait(ms, function()
    local ok, value = pcall(fn)
    last = value
    return ok and value
  end, 50)
  if not done then
    error(("timed out waiting for %s (last: %s)"):format(what, vim.inspect(last)), 0)
  end
  return last
end

-- Everything vim.notify shows, to check the messages a user would see.
local messages = {}
vim.notify = function(msg)
  table.insert(messages, msg)
end
-- And what the server shows with window/showMessage (Neovim echoes it rather than notifying).
local show_message = vim.lsp.handlers["window/showMessage"]
vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, config)
  table.insert(messages, result.message)
  return show_message(err, result, ctx, config)
end
local function message_with(needle)
  for _, m in ipairs(messages) do
    if m:find(needle, 1, true) then
      return m
    end
  end
end

vim.opt.runtimepath:prepend(os.getenv("PYXRAY_PLUGIN"))
vim.cmd("runtime plugin/pyxray.lua")
local bin = os.getenv("PYXRAY_BIN")
local pyxray = require("pyxray")

local function start(opts)
  if mode == "enable" then
    vim.g.pyxray_path = bin
    vim.lsp.enable("pyxray")
  else
    pyxray.setup(vim.tbl_extend("force", { path = bin }, opts or {}))
  end
end

local function attached(buf)
  return wait("the pyxray client to attach", 15000, function()
    local client = pyxray.client(buf)
    return client and client.initialized ~= false and client
  end)
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
end

-- Keeps what the user would see (hover text, listing) in $PYXRAY_RESULTS, for the CI artifacts.
local function keep(name, text)
  local dir = os.getenv("PYXRAY_RESULTS")
  if dir then
    local file = io.open(("%s/nvim-%d.%d-%s-%s"):format(dir, vim.version().major, vim.version().minor, mode, name), "w")
    file:write(text)
    file:close()
  end
end

if mode == "enable" or mode == "setup" then
  start()
  vim.cmd("edit " .. os.getenv("PYXRAY_SAMPLE"))
  local buf = vim.api.nvim_get_current_buf()
  check("client attaches", function()
    attached(buf)
  end)
  check("hover over a function shows its bytecode", function()
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 4, character = 6 } }
    local text = wait("a hover with the listing", 15000, function()
      local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 5000) or {}
      for _, reply in pairs(replies) do
        local value = reply.result and reply.result.contents.value
        if value and value:find("MAKE_CELL", 1, true) then
          return value
        end
      end
    end)
    keep("hover.md", text)
    assert(text:find("make_counter", 1, true) and text:find("```text", 1, true), text)
  end)
  check("diagnostics include the identity warning", function()
    local found = wait("PX005", 15000, function()
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        if d.code == "PX005" then
          return d
        end
      end
    end)
    assert(found.lnum == 17 and found.message:find("is False here", 1, true), vim.inspect(found))
  end)
  check(":PyxrayDis shows the listing and follows edits", function()
    vim.api.nvim_win_set_cursor(0, { 5, 6 })
    vim.cmd("PyxrayDis")
    local dis = wait("a listing window", 15000, function()
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        local b = vim.api.nvim_win_get_buf(win)
        if vim.bo[b].filetype == "pyxray-dis" and buffer_text(b):find("MAKE_CELL", 1, true) then
          return b
        end
      end
    end)
    local text = buffer_text(dis)
    assert(text:find("# make_counter · ", 1, true) and text:find("CPython 3.13", 1, true), text)
    assert(vim.api.nvim_get_current_buf() == buf, "the cursor should stay in the source")
    -- An edit in insert-mode style: the listing must show it, without any command.
    vim.api.nvim_buf_set_lines(buf, 6, 6, false, { "    extra = 4242" })
    vim.api.nvim_exec_autocmds("TextChanged", { buffer = buf })
    wait("the listing to follow the edit", 15000, function()
      return buffer_text(dis):find("(extra)", 1, true)
    end)
    keep("PyxrayDis.txt", buffer_text(dis))
  end)
  check(":PyxrayStatus names the CPython version and where it came from", function()
    wait("the status notification", 15000, function()
      return vim.b[buf].pyxray_status
    end)
    assert(require("pyxray.status").statusline(buf):find("^CPython 3%.1%d"), require("pyxray.status").statusline(buf))
    vim.cmd("PyxrayStatus")
    wait("the default", 15000, function()
      return message_with("pyxray: CPython 3.13 — the default")
    end)
    -- A .python-version next to the file: :PyxrayStatus has the server read it.
    local pinned = vim.fn.fnamemodify(os.getenv("PYXRAY_SAMPLE"), ":h") .. "/.python-version"
    vim.fn.writefile({ "3.12" }, pinned)
    vim.cmd("PyxrayStatus")
    local found, shown = pcall(wait, "the version from .python-version", 15000, function()
      return message_with(pinned .. " (3.12)")
    end)
    os.remove(pinned) -- before anything else: the next probes use the same directory
    assert(found, shown)
    keep("PyxrayStatus.txt", shown)
  end)
  check(":checkhealth pyxray reports a working server", function()
    vim.cmd("checkhealth pyxray")
    local text = buffer_text(vim.api.nvim_get_current_buf())
    assert(text:find("server: ", 1, true) and text:find("pyxray 0", 1, true), text)
    assert(not text:find("ERROR", 1, true), text)
  end)
elseif mode == "bad-path" then
  check("a wrong server path gives a readable message", function()
    bin = "/nonexistent/pyxray"
    start()
    vim.cmd("edit " .. os.getenv("PYXRAY_SAMPLE"))
    wait("the message", 10000, function()
      return message_with("/nonexistent/pyxray") and message_with("is not an executable file")
    end)
  end)
elseif mode == "bad-version" then
  check("an unsupported python_version gives a readable message", function()
    start({ python_version = "3.9" })
    vim.cmd("edit " .. os.getenv("PYXRAY_SAMPLE"))
    wait("the server's warning", 15000, function()
      return message_with("pythonVersion") and message_with("3.9")
    end)
  end)
elseif mode == "crash" then
  check("a crashing server gives a readable message", function()
    bin = os.getenv("PYXRAY_CRASHING_BIN")
    start()
    vim.cmd("edit " .. os.getenv("PYXRAY_SAMPLE"))
    wait("the message", 15000, function()
      return message_with("pyxray: the server stopped unexpectedly")
    end)
  end)
end

if failed > 0 then
  io.stdout:write("messages shown: " .. vim.inspect(messages) .. "\n")
end
vim.cmd(failed > 0 and "cquit 1" or "qall!")
