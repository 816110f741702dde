-- :PyxrayDis: the `dis` listing of the function (class, lambda, comprehension) under the cursor,
-- or of the whole file outside any, in a read-only scratch split. The listing follows its code
-- object by qualified name and is refreshed shortly after each edit of the source buffer.

local pyxray = require("pyxray")

local M = {}

local REFRESH_DELAY_MS = 200
local views = {} -- source buffer → { buf = listing buffer, qualname = ..., timer = ... }

local function render(result, file)
  local lines = { ("# %s · %s · CPython %s · document version %d"):format(result.qualname, file, result.pythonVersion, result.version) }
  if result.note and result.note ~= vim.NIL then
    table.insert(lines, "# " .. result.note)
  end
  table.insert(lines, "")
  local listing = result.listing ~= "" and result.listing or "(no bytecode)\n"
  for _, line in ipairs(vim.split((listing:gsub("\n$", "")), "\n", { plain = true })) do
    table.insert(lines, line)
  end
  return lines
end

local function set_lines(buf, lines)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
end

local function error_lines(err)
  return { "# pyxray could not disassemble this file: " .. (err.message or vim.inspect(err)) }
end

local function request(src, params, on_result)
  local client = pyxray.attached_client(src)
  if not client then
    return
  end
  params.textDocument = { uri = vim.uri_from_bufnr(src) }
  pyxray.request(client, "pyxray/disassemble", params, function(err, result)
    on_result(err, result, client)
  end, src)
end

local function refresh(src)
  local view = views[src]
  if not view or not vim.api.nvim_buf_is_valid(view.buf) or not vim.api.nvim_buf_is_valid(src) then
    views[src] = nil
    return
  end
  local params = { qualname = view.qualname ~= "<module>" and view.qualname or nil }
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(src), ":t")
  request(src, params, function(err, result)
    set_lines(view.buf, err and error_lines(err) or render(result, file))
  end)
end

local function follow(src)
  local group = vim.api.nvim_create_augroup("pyxray_dis_" .. src, { clear = true })
  vim.api.nvim_create_autocmd({ "TextChanged", "TextChangedI" }, {
    group = group,
    buffer = src,
    callback = function()
      local view = views[src]
      if not view then
        return true
      end
      if view.timer then
        view.timer:stop()
      end
      view.timer = vim.defer_fn(function()
        refresh(src)
      end, REFRESH_DELAY_MS)
    end,
  })
end

local function listing_buffer(src, qualname)
  local view = views[src]
  if view and vim.api.nvim_buf_is_valid(view.buf) then
    return view.buf
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = "pyxray-dis"
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(src), ":t")
  pcall(vim.api.nvim_buf_set_name, buf, ("pyxray-dis://%d/%s"):format(buf, file))
  return buf
end

--- Opens (or retargets) the listing split for the code under the cursor.
function M.open()
  local src = vim.api.nvim_get_current_buf()
  local win = vim.api.nvim_get_current_win()
  local client = pyxray.attached_client(src)
  if not client then
    return
  end
  local position = vim.lsp.util.make_position_params(win, client.offset_encoding).position
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(src), ":t")
  request(src, { position = position }, function(err, result)
    if err then
      vim.notify("pyxray: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    local buf = listing_buffer(src, result.qualname)
    views[src] = { buf = buf, qualname = result.qualname }
    set_lines(buf, render(result, file))
    if vim.fn.bufwinid(buf) == -1 then
      vim.cmd("vertical sbuffer " .. buf)
      vim.api.nvim_set_current_win(win)
    end
    follow(src)
  end)
end

return M
