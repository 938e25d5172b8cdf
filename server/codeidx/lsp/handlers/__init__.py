"""LSP handlers, one module per feature group.

A handler converts the request (``lsp.convert``, ``lsp.live``), runs one
query function off the event loop (``lsp.runner``) and converts the answer.
No SQL, no parsing and no ranking here.
"""
