--- codeidx for Neovim: starts `python -m codeidx serve` and adds its commands.
---
--- Owns the Neovim side only: starting one server per workspace root (the
--- nearest folder holding a root marker, `.git` by default) for buffers of
--- the nine indexed filetypes, passing settings to it, the requests behind
--- `:CodeidxSearch`, `:CodeidxStatus` and `:CodeidxReindex`, and turning
--- their answers into a quickfix list or a scratch buffer. It must not
--- re-implement anything the server answers; ranking and coverage come from
--- the server as they are.
---
--- Works on Neovim 0.7 and later: `vim.lsp.start` where it exists (0.8+),
--- else `vim.lsp.start_client` with `vim.lsp.buf_attach_client`.

local M = {}

--- The filetypes whose buffers start the server.
M.filetypes = {
  "python",
  "javascript",
  "typescript",
  "typescriptreact",
  "rust",
  "go",
  "java",
  "c",
  "cpp",
}

local NAME = "codeidx"
local SEARCH = "codeidx/semanticSearch"
local STATUS = "codeidx/status"
local INDEX_UPDATED = "codeidx/indexUpdated"

local defaults = {
  cmd = { "python3", "-m", "codeidx", "serve" },
  settings = {},
  root_markers = { ".git" },
  search_limit = 50,
}

local config = vim.deepcopy(defaults)

--- Client ids by root, for Neovim versions without `vim.lsp.start`.
local started = {}

--- The last `codeidx/indexUpdated` params by workspace root.
M.last_update = {}

local function notify(message, level)
  vim.notify("codeidx: " .. message, level or vim.log.levels.INFO)
end

local function has(version)
  return vim.fn.has(version) == 1
end

--- A Lua table as a JSON object, even when it is empty (an empty table would be sent as `[]`).
local function as_object(value)
  if type(value) ~= "table" or next(value) ~= nil then
    return value
  end
  return vim.empty_dict()
end

--- The settings with every nested object kept an object.
local function server_settings(settings, skip)
  local out = {}
  for key, value in pairs(settings) do
    if not (skip and skip[key]) then
      if key == "search" then
        out[key] = as_object(vim.deepcopy(value))
      else
        out[key] = vim.deepcopy(value)
      end
    end
  end
  return as_object(out)
end

--- The nearest folder above `path` holding a root marker, else the file's folder.
function M.find_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local start = dir
  while true do
    for _, marker in ipairs(config.root_markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

local function on_index_updated(_, params)
  local run = params and params.run
  if run == nil then
    return
  end
  M.last_update[params.root or ""] = params
  if run.status ~= "complete" then
    notify(string.format("index run (%s) %s: %s", run.reason, run.status, run.error or ""), vim.log.levels.WARN)
  end
  vim.api.nvim_exec_autocmds("User", { pattern = "CodeidxIndexUpdated", modeline = false })
end

local function client_config(root)
  return {
    name = NAME,
    cmd = config.cmd,
    root_dir = root,
    init_options = server_settings(config.settings),
    -- `indexDir` is read only at start; the server reads the rest from this section.
    settings = { [NAME] = server_settings(config.settings, { indexDir = true }) },
    handlers = { [INDEX_UPDATED] = on_index_updated },
    on_exit = function()
      started[root] = nil
    end,
  }
end

--- Starts (or reuses) the server of the buffer's root and attaches the buffer to it.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then
    return nil
  end
  local root = M.find_root(path)
  if vim.lsp.start ~= nil then
    -- Neovim 0.8 attaches the current buffer whatever `bufnr` says: make it current.
    local id
    vim.api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(client_config(root), { bufnr = bufnr })
    end)
    return id
  end
  local id = started[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      notify("the server did not start with `" .. table.concat(config.cmd, " ") .. "`", vim.log.levels.ERROR)
      return nil
    end
    started[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Every running codeidx client.
function M.clients()
  local all = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  local out = {}
  for _, client in ipairs(all) do
    if client.name == NAME then
      table.insert(out, client)
    end
  end
  return out
end

--- The client of the current buffer, else the first codeidx client.
local function current_client()
  local bufnr = vim.api.nvim_get_current_buf()
  local clients = M.clients()
  for _, client in ipairs(clients) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  return clients[1]
end

local function request(client, method, params, handler)
  local callback = vim.schedule_wrap(function(err, result)
    handler(err, result)
  end)
  if has("nvim-0.11") then
    return client:request(method, params, callback, 0)
  end
  return client.request(method, params, callback, 0)
end

local function error_text(err)
  if type(err) == "table" then
    return err.message or vim.inspect(err)
  end
  return tostring(err)
end

--- Sends `codeidx/semanticSearch`; `callback(err, answer)` gets a message or the answer.
---
--- `opts.mode` is "hybrid", "fts" or "vector" (the server's default is hybrid);
--- `opts.limit` caps the results.
function M.search(query, opts, callback)
  opts = opts or {}
  local client = current_client()
  if client == nil then
    callback("the server is not running (open a file of an indexed language after setup())")
    return
  end
  local params = { query = query, limit = opts.limit or config.search_limit, mode = opts.mode }
  request(client, SEARCH, params, function(err, answer)
    if err ~= nil then
      callback(error_text(err))
    else
      callback(nil, answer)
    end
  end)
end

--- A line of a file, from its buffer when it is loaded (it may be unsaved), else from disk.
local function line_of(path, line)
  local bufnr = vim.fn.bufnr(path)
  if bufnr ~= -1 and vim.api.nvim_buf_is_loaded(bufnr) then
    return vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
  end
  local ok, lines = pcall(vim.fn.readfile, path, "", line + 1)
  if ok then
    return lines[line + 1]
  end
  return nil
end

--- The byte column of a UTF-16 column (the server's encoding) on a line of a file.
local function byte_column(path, line, character)
  if character == 0 then
    return 0
  end
  local text = line_of(path, line)
  if text == nil then
    return character
  end
  local ok, column
  if has("nvim-0.11") then
    ok, column = pcall(vim.str_byteindex, text, "utf-16", character, false)
  else
    ok, column = pcall(vim.str_byteindex, text, character, true)
  end
  if ok and column ~= nil then
    return column
  end
  return math.min(character, #text)
end

local function one_line(text)
  return (text or ""):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
end

--- The quickfix items of a search answer: file, 1-based line and byte column of
--- each definition's name, and "qualifiedName — snippet".
function M.quickfix_items(answer)
  local items = {}
  for _, result in ipairs(answer.results or {}) do
    local path = vim.uri_to_fname(result.uri)
    local start = result.selectionRange.start
    local label = result.qualifiedName ~= "" and result.qualifiedName or result.name
    local snippet = one_line(result.snippet)
    table.insert(items, {
      filename = path,
      lnum = start.line + 1,
      col = byte_column(path, start.line, start.character) + 1,
      text = snippet ~= "" and (label .. " — " .. snippet) or label,
    })
  end
  return items
end

--- One line about an answer: the mode that ran, and whether it was partial.
function M.summary(answer)
  local parts = { string.format("%d results (%s)", #(answer.results or {}), answer.mode or "?") }
  if answer.partial then
    local coverage = answer.coverage
    if type(coverage) == "table" and coverage.reason ~= nil and coverage.reason ~= vim.NIL then
      table.insert(parts, "partial: " .. coverage.reason)
    elseif type(coverage) == "table" then
      table.insert(parts, string.format("partial: %d/%d definitions embedded", coverage.nodesEmbedded, coverage.nodesTotal))
    else
      table.insert(parts, "partial")
    end
  end
  for _, note in ipairs(answer.notes or {}) do
    table.insert(parts, note)
  end
  return table.concat(parts, " — ")
end

local MODES = { hybrid = true, fts = true, vector = true }

--- `:CodeidxSearch [mode=fts|vector|hybrid] {query}`: fills the quickfix list and opens it.
function M.search_command(args)
  local query = args
  local opts = {}
  local mode, rest = args:match("^mode=(%S+)%s+(.*)$")
  if mode ~= nil then
    if not MODES[mode] then
      notify("mode must be hybrid, fts or vector", vim.log.levels.ERROR)
      return
    end
    opts.mode, query = mode, rest
  end
  query = vim.trim(query)
  if query == "" then
    notify("give a query: :CodeidxSearch {what the code does}", vim.log.levels.ERROR)
    return
  end
  M.search(query, opts, function(err, answer)
    if err ~= nil then
      notify(err, vim.log.levels.ERROR)
      return
    end
    local items = M.quickfix_items(answer)
    vim.fn.setqflist({}, " ", { title = "codeidx: " .. query, items = items })
    if #items == 0 then
      notify("no results — " .. M.summary(answer), vim.log.levels.WARN)
      return
    end
    vim.cmd("copen")
    if answer.partial or #(answer.notes or {}) > 0 then
      notify(M.summary(answer), vim.log.levels.WARN)
    end
  end)
end

local function run_line(run)
  if run == nil or run == vim.NIL then
    return "none yet"
  end
  local line = string.format(
    "%s: %s (%d parsed, %d unchanged, %d deleted, %d skipped)",
    run.reason,
    run.status,
    run.filesParsed,
    run.filesUnchanged,
    run.filesDeleted,
    run.filesSkipped
  )
  if run.error ~= nil and run.error ~= vim.NIL then
    line = line .. " — " .. run.error
  end
  return line
end

--- The `codeidx/status` answer as lines of Markdown, one section per workspace folder.
function M.status_lines(status)
  local roots = status.roots
  if type(roots) ~= "table" or #roots == 0 then
    roots = { status }
  end
  local lines = { "# codeidx status", "" }
  for _, root in ipairs(roots) do
    table.insert(lines, "## " .. root.root)
    table.insert(lines, "")
    table.insert(lines, "- Index folder: " .. root.indexDir)
    if root.indexed then
      table.insert(lines, string.format("- %d files, %d definitions, %d edges", root.files, root.nodes, root.edges))
      table.insert(lines, string.format("- Files changed on disk since indexed: %d", root.staleFiles))
    else
      table.insert(lines, "- Not indexed yet.")
    end
    local coverage = root.coverage
    if type(coverage) == "table" and coverage.partial then
      local reason = coverage.reason ~= vim.NIL and coverage.reason or "the index is incomplete"
      table.insert(lines, "- Partial: " .. reason)
    end
    local running = root.indexing and root.indexing.running
    if running ~= nil and running ~= vim.NIL then
      table.insert(lines, "- Indexing now (" .. running .. ")")
    end
    table.insert(lines, "- Last run: " .. run_line(root.lastRun))
    table.insert(lines, "")
  end
  return lines
end

--- `:CodeidxStatus`: the status in a scratch buffer.
function M.status_command()
  local client = current_client()
  if client == nil then
    notify("the server is not running", vim.log.levels.ERROR)
    return
  end
  request(client, STATUS, vim.empty_dict(), function(err, status)
    if err ~= nil then
      notify(error_text(err), vim.log.levels.ERROR)
      return
    end
    vim.cmd("botright new")
    local bufnr = vim.api.nvim_get_current_buf()
    vim.bo[bufnr].buftype = "nofile"
    vim.bo[bufnr].bufhidden = "wipe"
    vim.bo[bufnr].swapfile = false
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, M.status_lines(status))
    vim.bo[bufnr].modifiable = false
    vim.bo[bufnr].filetype = "markdown"
  end)
end

--- `:CodeidxReindex[!]`: queues a full index run (`!` re-parses every file).
function M.reindex_command(force)
  local client = current_client()
  if client == nil then
    notify("the server is not running", vim.log.levels.ERROR)
    return
  end
  local arguments = force and { { force = true } } or {}
  local params = { command = "codeidx.reindex", arguments = arguments }
  request(client, "workspace/executeCommand", params, function(err, answer)
    if err ~= nil then
      notify(error_text(err), vim.log.levels.ERROR)
    elseif type(answer) == "table" and answer.queued == false then
      notify("a full index run is already queued")
    else
      notify("re-indexing the workspace")
    end
  end)
end

--- Configures the plugin and starts the server for buffers of the nine filetypes.
---
--- `opts.cmd` is the command that starts the server (default
--- `{ "python3", "-m", "codeidx", "serve" }`); `opts.settings` the server's
--- settings (docs/configuration.md), e.g. `{ exclude = { "vendor/" } }`;
--- `opts.root_markers` the files or folders that mark a workspace root.
function M.setup(opts)
  opts = opts or {}
  vim.validate({
    cmd = { opts.cmd, "table", true },
    settings = { opts.settings, "table", true },
    root_markers = { opts.root_markers, "table", true },
  })
  config = vim.tbl_extend("force", vim.deepcopy(defaults), opts)
  local group = vim.api.nvim_create_augroup("codeidx", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.filetypes,
    callback = function(event)
      M.attach(event.buf)
    end,
  })
  -- Buffers opened before setup() get their server too.
  local wanted = {}
  for _, filetype in ipairs(M.filetypes) do
    wanted[filetype] = true
  end
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and wanted[vim.bo[bufnr].filetype] then
      M.attach(bufnr)
    end
  end
end

return M
