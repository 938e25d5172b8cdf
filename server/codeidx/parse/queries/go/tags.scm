; Definitions in Go, tags convention: @definition.<kind> around, @name inside.
; A type_spec's kind (struct, interface or type_alias) is refined in the hooks
; from its type; methods get their receiver type as qualifier (extra_qualifier).

(function_declaration
  name: (identifier) @name) @definition.function

(method_declaration
  name: (field_identifier) @name) @definition.method

(type_spec
  name: (type_identifier) @name) @definition.type_alias

(type_alias
  name: (type_identifier) @name) @definition.type_alias

; Interface methods.
(method_elem
  name: (field_identifier) @name) @definition.method

; Struct fields (embedded fields have no name and are bases instead).  A
; single-name field spans its declaration; in `a, b int` each name spans only
; itself, so no name's range contains another's.
(field_declaration
  .
  name: (field_identifier) @name
  .
  type: (_)) @definition.field

(field_declaration
  name: (field_identifier) @name @definition.field
  .
  name: (field_identifier))

(field_declaration
  name: (field_identifier)
  .
  name: (field_identifier) @name @definition.field)

; Constants and variables, split the same way; the engine keeps only
; package-level ones.
; The grammar tags only the first name of a const_spec as `name`, so these
; patterns match names as plain identifier children (values are wrapped in an
; expression_list and types are never plain identifiers).
(const_spec
  .
  (identifier) @name
  .
  type: (_)) @definition.constant

(const_spec
  .
  (identifier) @name
  .
  value: (_)) @definition.constant

(const_spec
  .
  (identifier) @name
  .) @definition.constant

(const_spec
  (identifier) @name @definition.constant
  .
  (identifier))

(const_spec
  (identifier)
  .
  (identifier) @name @definition.constant)

(var_spec
  .
  name: (identifier) @name
  .
  type: (_)) @definition.variable

(var_spec
  .
  name: (identifier) @name
  .
  value: (_)) @definition.variable

(var_spec
  name: (identifier) @name @definition.variable
  .
  name: (identifier))

(var_spec
  name: (identifier)
  .
  name: (identifier) @name @definition.variable)
