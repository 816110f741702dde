-- pyxray's client configuration for Neovim 0.11+: with editors/nvim on the runtimepath,
-- `vim.lsp.enable('pyxray')` starts the server for Python buffers. Options come from
-- require('pyxray').setup{} when it was called, else the defaults (server from vim.g.pyxray_path
-- or PATH).
return require("pyxray").config()
