"""The protocol layer: the language server (pygls) over the query layer.

Only this package knows URIs, LSP positions and JSON-RPC.  Start at
``lsp.server`` (the registration table); ``docs/architecture.md`` has the map.
"""
