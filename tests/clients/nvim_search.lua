-- Headless Neovim run of the codeidx plugin against the real server.
--
-- Driven by tests/clients/test_nvim.py, which passes paths in the environment:
-- CODEIDX_PLUGIN (clients/nvim), CODEIDX_PYTHON (an interpreter with codeidx),
-- CODEIDX_WORKSPACE (a copy of tests/workspaces/shapes), CODEIDX_INDEX (the index
-- folder) and CODEIDX_RESULT (where this script writes what it saw, as JSON).
-- Every wait is bounded; a step that times out is named in the result.

local env = vim.env
local result = { steps = {}, errors = {} }

local function finish()
  for _, client in ipairs(require("codeidx").clients()) do
    vim.lsp.stop_client(client.id)
  end
  vim.wait(10000, function()
    return #require("codeidx").clients() == 0
  end, 50)
  vim.fn.writefile({ vim.fn.json_encode(result) }, env.CODEIDX_RESULT)
  vim.cmd("qall!")
end

local function fail(message)
  table.insert(result.errors, message)
  finish()
end

-- The latest codeidx/indexUpdated of a run with this reason, or nil.
local function update_with_reason(reason)
  for _, update in pairs(require("codeidx").last_update) do
    if update.run.reason == reason then
      return update
    end
  end
  return nil
end

local function step(name, timeout, condition)
  if not vim.wait(timeout, condition, 50) then
    fail("timed out: " .. name)
    return false
  end
  table.insert(result.steps, name)
  return true
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(env.CODEIDX_PLUGIN)
  vim.cmd("runtime plugin/codeidx.lua")
  vim.cmd("filetype on")
  local codeidx = require("codeidx")
  codeidx.setup({
    cmd = { env.CODEIDX_PYTHON, "-m", "codeidx", "serve" },
    settings = { indexDir = env.CODEIDX_INDEX, search = { model = "hash" } },
  })
  vim.cmd("edit " .. vim.fn.fnameescape(env.CODEIDX_WORKSPACE .. "/app/report.py"))

  if not step("server attached", 30000, function()
    local clients = codeidx.clients()
    return #clients > 0 and vim.lsp.buf_is_attached(0, clients[1].id) and clients[1].initialized ~= false
  end) then
    return
  end
  result.root = codeidx.clients()[1].config.root_dir

  if not step("initial index run", 120000, function()
    return next(codeidx.last_update) ~= nil
  end) then
    return
  end
  for _, update in pairs(codeidx.last_update) do
    result.run = update.run
  end

  -- Search until the answer is complete: embedding follows the index run.
  local answer
  local deadline = vim.loop.now() + 120000
  while true do
    local got, problem = false, nil
    codeidx.search("sum the areas of shapes", {}, function(e, a)
      got, problem, answer = true, e, a
    end)
    if not step("search answered", 15000, function()
      return got
    end) then
      return
    end
    if problem ~= nil then
      fail("search failed: " .. problem)
      return
    end
    if not answer.partial then
      break
    end
    if vim.loop.now() > deadline then
      fail("search stayed partial: " .. codeidx.summary(answer))
      return
    end
    vim.wait(200)
  end
  result.mode = answer.mode

  vim.fn.setqflist({}, "r")
  vim.cmd("CodeidxSearch sum the areas of shapes")
  if not step("quickfix filled", 15000, function()
    return #vim.fn.getqflist() > 0
  end) then
    return
  end
  result.title = vim.fn.getqflist({ title = 1 }).title
  result.quickfix = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    table.insert(result.quickfix, {
      filename = vim.api.nvim_buf_get_name(item.bufnr),
      lnum = item.lnum,
      col = item.col,
      text = item.text,
    })
  end
  result.quickfix_open = vim.fn.getqflist({ winid = 1 }).winid ~= 0

  -- The status report opens in a scratch buffer.
  vim.cmd("wincmd p")
  local before = #vim.api.nvim_list_bufs()
  vim.cmd("CodeidxStatus")
  if not step("status shown", 15000, function()
    return vim.bo.filetype == "markdown"
  end) then
    return
  end
  result.status_buffers_added = #vim.api.nvim_list_bufs() - before
  result.status = vim.api.nvim_buf_get_lines(0, 0, -1, false)

  -- A re-index is a full run of its own, announced by codeidx/indexUpdated.
  vim.cmd("CodeidxReindex")
  if not step("re-index run", 60000, function()
    return update_with_reason("reindex") ~= nil
  end) then
    return
  end
  result.reindex = update_with_reason("reindex").run

  -- This Neovim registers no file watcher: a file written behind its back
  -- is found by the server's own look at the disk, as a watch run.
  local extra = io.open(env.CODEIDX_WORKSPACE .. "/app/extra.py", "w")
  extra:write("def written_behind_nvim():\n    return 1\n")
  extra:close()
  if not step("watch run", 60000, function()
    return update_with_reason("watch") ~= nil
  end) then
    return
  end
  local watched = update_with_reason("watch")
  result.watch = { run = watched.run, paths = watched.paths }
end)

if not ok then
  fail("error: " .. tostring(err))
else
  finish()
end
