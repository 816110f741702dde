-- pyxray's commands, defined whichever way the client was started: :PyxrayDis opens the bytecode
-- listing of the code under the cursor in a scratch split that follows edits; :PyxrayStatus shows
-- which CPython version pyxray uses for the buffer and where that version came from.
if vim.g.loaded_pyxray then
  return
end
vim.g.loaded_pyxray = true

vim.api.nvim_create_user_command("PyxrayDis", function()
  require("pyxray.dis").open()
end, { desc = "pyxray: show the bytecode of the function under the cursor" })

vim.api.nvim_create_user_command("PyxrayStatus", function()
  require("pyxray.status").show()
end, { desc = "pyxray: which CPython version this buffer is analysed as, and why" })
