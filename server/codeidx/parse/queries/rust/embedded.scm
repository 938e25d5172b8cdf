; Token trees read again as items of the file (``extract`` parses each one
; on its own, in place, so every position stays the file's own).
;
; A macro invoked where an item may stand often wraps items: syn's
; ``ast_struct! { pub struct Path { .. } }``, tokio's ``cfg_rt! { pub mod
; runtime; }``, ``lazy_static!``, ``thread_local!``.  Tokens that are no
; items (``forward_to_deserialize_any! { bool i8 }``) give no definitions.

(source_file
  (macro_invocation
    (token_tree) @items))

(source_file
  (expression_statement
    (macro_invocation
      (token_tree) @items)))

(declaration_list
  (macro_invocation
    (token_tree) @items))
