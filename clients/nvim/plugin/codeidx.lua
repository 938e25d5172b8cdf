-- The user commands of codeidx. They work once `require("codeidx").setup()` has
-- started a server; this file starts nothing by itself.

if vim.g.loaded_codeidx ~= nil then
  return
end
vim.g.loaded_codeidx = 1

vim.api.nvim_create_user_command("CodeidxSearch", function(command)
  require("codeidx").search_command(command.args)
end, { nargs = "+", desc = "codeidx: search code by what it does or by name (quickfix list)" })

vim.api.nvim_create_user_command("CodeidxStatus", function()
  require("codeidx").status_command()
end, { nargs = 0, desc = "codeidx: show what the index holds" })

vim.api.nvim_create_user_command("CodeidxReindex", function(command)
  require("codeidx").reindex_command(command.bang)
end, { nargs = 0, bang = true, desc = "codeidx: re-index the workspace (! re-parses every file)" })
