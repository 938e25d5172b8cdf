; References in Rust: @reference.<role> around, @name inside, @receiver for
; the qualifier (`x` in `x.m()`, `a::b` in `a::b::c`).  When several patterns
; capture one identifier the engine keeps the most specific role, so the
; general `read`/`type` patterns below are fallbacks.  Identifiers matched by
; nothing here are reads.

; ---- Calls: functions, methods, associated functions, turbofish, macros.

(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression
    value: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(call_expression
  function: (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.call

(call_expression
  function: (generic_function
    function: (identifier) @name)) @reference.call

(call_expression
  function: (generic_function
    function: (field_expression
      value: (_) @receiver
      field: (field_identifier) @name))) @reference.call

(call_expression
  function: (generic_function
    function: (scoped_identifier
      path: (_) @receiver
      name: (identifier) @name))) @reference.call

(macro_invocation
  macro: (identifier) @name) @reference.call

(macro_invocation
  macro: (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.call

; ---- Paths and field accesses (reads unless a pattern above says more).

(scoped_identifier
  path: (_) @receiver
  name: (identifier) @name) @reference.read

(field_expression
  value: (_) @receiver
  field: (field_identifier) @name) @reference.read

; ---- Struct expressions instantiate; their field initialisers write the
; field, with the struct's name as receiver so they never count as locals.

(struct_expression
  name: (type_identifier) @name) @reference.instantiate

(struct_expression
  name: (scoped_type_identifier
    path: (_) @receiver
    name: (type_identifier) @name)) @reference.instantiate

(struct_expression
  name: (generic_type_with_turbofish
    type: (type_identifier) @name)) @reference.instantiate

(struct_expression
  name: (_) @receiver
  body: (field_initializer_list
    (field_initializer
      field: (field_identifier) @name))) @reference.write

; ---- Types.

(type_identifier) @name @reference.type

(scoped_type_identifier
  path: (_) @receiver
  name: (type_identifier) @name) @reference.type

; ---- Supertypes: `impl Trait for Type` and supertraits inherit.

(impl_item
  trait: [
    (type_identifier) @name
    (scoped_type_identifier
      path: (_) @receiver
      name: (type_identifier) @name)
    (generic_type
      type: [
        (type_identifier) @name
        (scoped_type_identifier
          path: (_) @receiver
          name: (type_identifier) @name)
      ])
  ]) @reference.inherit

(trait_item
  bounds: (trait_bounds
    [
      (type_identifier) @name
      (scoped_type_identifier
        path: (_) @receiver
        name: (type_identifier) @name)
      (generic_type
        type: [
          (type_identifier) @name
          (scoped_type_identifier
            path: (_) @receiver
            name: (type_identifier) @name)
        ])
    ])) @reference.inherit

; ---- Attributes are decorators, and so are the macros a derive names.

(attribute_item
  (attribute
    (identifier) @name)) @reference.decorator

(attribute_item
  (attribute
    (scoped_identifier
      path: (_) @receiver
      name: (identifier) @name))) @reference.decorator

(inner_attribute_item
  (attribute
    (identifier) @name)) @reference.decorator

((attribute
  (identifier) @_attr
  arguments: (token_tree
    (identifier) @name))
  (#eq? @_attr "derive")) @reference.decorator

; ---- Bindings: let, parameters, closures, loops, patterns, assignments.

(let_declaration
  pattern: (identifier) @name) @reference.write

(parameter
  pattern: (identifier) @name) @reference.write

(variadic_parameter
  pattern: (identifier) @name) @reference.write

(closure_parameters
  (identifier) @name) @reference.write

; A loop's binding is an element of what it runs over (records.ROLES), and
; so are the names of a pair it takes apart: `for (i, x) in …`.
(for_expression
  pattern: [
    (identifier) @name
    (mut_pattern (identifier) @name)
    (ref_pattern (identifier) @name)
    (reference_pattern (identifier) @name)
    (tuple_pattern (identifier) @name)
    (tuple_pattern (mut_pattern (identifier) @name))
  ]) @reference.loop

(let_condition
  pattern: (identifier) @name) @reference.write

(tuple_pattern
  (identifier) @name) @reference.write

(slice_pattern
  (identifier) @name) @reference.write

(mut_pattern
  (identifier) @name) @reference.write

(ref_pattern
  (identifier) @name) @reference.write

(reference_pattern
  (identifier) @name) @reference.write

(captured_pattern
  .
  (identifier) @name) @reference.write

(field_pattern
  pattern: (identifier) @name) @reference.write

; A struct pattern binds its shorthand fields (`let P { x, ref y } = p`,
; `Expr::Call { func, .. } =>`): an unpack, which reads back as a write
; (records.ROLES), of the field of the struct the pattern names
; (hooks.typed_patterns).  Its other field names read the fields of that
; struct (`P { x: 0, .. }`).
(field_pattern
  name: (shorthand_field_identifier) @name) @reference.unpack

(struct_pattern
  type: (_) @receiver
  (field_pattern
    name: (field_identifier) @name)) @reference.read

; A bare identifier in a match arm or tuple-struct pattern is a binding
; unless capitalised (`None`, `Some`, unit variants and constants).
((match_pattern
  (identifier) @name)
  (#match? @name "^[a-z_]")) @reference.write

((tuple_struct_pattern
  (identifier) @name)
  (#match? @name "^[a-z_]")) @reference.write

; `Some(x) =>` and `Ok(x) =>` in a match arm (the wrappers' patterns,
; `RustHooks.wrappers`): the matched value is the variant's receiver, so the
; arm's binding is the value's content, as in `if let Some(x) = value`.
; Other variants named bare keep their own resolution (a glob `use`).
((match_expression
  value: (_) @receiver
  body: (match_block
    (match_arm
      pattern: (match_pattern
        (tuple_struct_pattern
          type: (identifier) @name)))))
  (#any-of? @name "Some" "Ok")) @reference.read

(assignment_expression
  left: (identifier) @name) @reference.write

(assignment_expression
  left: (field_expression
    value: (_) @receiver
    field: (field_identifier) @name)) @reference.write

(compound_assignment_expr
  left: (identifier) @name) @reference.write

(compound_assignment_expr
  left: (field_expression
    value: (_) @receiver
    field: (field_identifier) @name)) @reference.write

; ---- Imports: the names a `use` brings in, their aliases and the path
; segment just before them; `mod x;` and `extern crate`.  Deeper path
; segments stay reads (queries cannot match at any depth).

(use_declaration
  argument: (identifier) @name) @reference.import

(use_declaration
  argument: (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.import

(use_declaration
  argument: (scoped_identifier
    path: (scoped_identifier
      path: (_) @receiver
      name: (identifier) @name))) @reference.import

(use_as_clause
  path: (identifier) @name) @reference.import

(use_as_clause
  path: (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.import

(use_as_clause
  alias: (identifier) @name) @reference.import

(use_list
  (identifier) @name) @reference.import

(use_list
  (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.import

(scoped_use_list
  path: (identifier) @name) @reference.import

(scoped_use_list
  path: (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.import

(use_wildcard
  (identifier) @name) @reference.import

(use_wildcard
  (scoped_identifier
    path: (_) @receiver
    name: (identifier) @name)) @reference.import

(mod_item
  name: (identifier) @name
  !body) @reference.import

(extern_crate_declaration
  name: (identifier) @name) @reference.import

(extern_crate_declaration
  alias: (identifier) @name) @reference.import

; ---- Lifetimes are type-level names, not values.

(lifetime
  (identifier) @name) @reference.type
