; References in Go: @reference.<role> around, @name inside, @receiver for the
; qualifier (`pkg` in `pkg.F()`, `s` in `s.field`).  When several patterns
; capture one identifier the engine keeps the most specific role, so the
; general `read`/`type` patterns are fallbacks.  Identifiers matched by
; nothing here are reads.

; ---- Calls, including generic calls that parse as type conversions.

(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (selector_expression
    operand: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(call_expression
  function: (parenthesized_expression
    (identifier) @name)) @reference.call

(call_expression
  function: (index_expression
    operand: (identifier) @name)) @reference.call

(call_expression
  function: (index_expression
    operand: (selector_expression
      operand: (_) @receiver
      field: (field_identifier) @name))) @reference.call

(type_conversion_expression
  type: (generic_type
    type: [
      (type_identifier) @name
      (qualified_type
        package: (_) @receiver
        name: (type_identifier) @name)
    ])) @reference.call

; ---- Selectors (field reads, package members).

(selector_expression
  operand: (_) @receiver
  field: (field_identifier) @name) @reference.read

; ---- Composite literals instantiate; their keys write the struct's fields,
; with the type as receiver so they never count as locals.

(composite_literal
  type: [
    (type_identifier) @name
    (qualified_type
      package: (_) @receiver
      name: (type_identifier) @name)
    (generic_type
      type: [
        (type_identifier) @name
        (qualified_type
          package: (_) @receiver
          name: (type_identifier) @name)
      ])
  ]) @reference.instantiate

(composite_literal
  type: [
    (type_identifier)
    (qualified_type)
  ] @receiver
  body: (literal_value
    (keyed_element
      key: (literal_element
        (identifier) @name)))) @reference.write

(composite_literal
  type: (generic_type
    type: (_) @receiver)
  body: (literal_value
    (keyed_element
      key: (literal_element
        (identifier) @name)))) @reference.write

; An element's literal with its type left out (`[]T{{Name: x}}`,
; `map[K]*T{"a": {Name: x}}`) writes the fields of the element type, which
; is its receiver: the `element` of a slice or an array, the `value` of a map.  An anonymous struct's keys (a test table's `[]struct{
; name string }{{name: "a"}}`) stay plain: its fields are the enclosing
; function's, where a plain name finds them.

(composite_literal
  type: [(_
           element: [(type_identifier) @receiver
                     (qualified_type) @receiver
                     (pointer_type
                       [(type_identifier) (qualified_type)] @receiver)
                     (generic_type
                       type: (_) @receiver)])
         (map_type
           value: [(type_identifier) @receiver
                   (qualified_type) @receiver
                   (pointer_type
                     [(type_identifier) (qualified_type)] @receiver)
                   (generic_type
                     type: (_) @receiver)])]
  body: (literal_value
    [(literal_element
       (literal_value
         (keyed_element
           key: (literal_element
             (identifier) @name))))
     (keyed_element
       value: (literal_element
         (literal_value
           (keyed_element
             key: (literal_element
               (identifier) @name)))))])) @reference.write

; ---- Types.

(type_identifier) @name @reference.type

(qualified_type
  package: (_) @receiver
  name: (type_identifier) @name) @reference.type

; ---- Embedding: unnamed struct fields and embedded interfaces inherit.

(field_declaration
  !name
  type: [
    (type_identifier) @name
    (qualified_type
      package: (_) @receiver
      name: (type_identifier) @name)
    (generic_type
      type: [
        (type_identifier) @name
        (qualified_type
          package: (_) @receiver
          name: (type_identifier) @name)
      ])
  ]) @reference.inherit

(interface_type
  (type_elem
    .
    [
      (type_identifier) @name
      (qualified_type
        package: (_) @receiver
        name: (type_identifier) @name)
      (generic_type
        type: [
          (type_identifier) @name
          (qualified_type
            package: (_) @receiver
            name: (type_identifier) @name)
        ])
    ]
    .)) @reference.inherit

; ---- Bindings: declarations, assignments, parameters, loops, switches.

(short_var_declaration
  left: (expression_list
    (identifier) @name)) @reference.write

(assignment_statement
  left: (expression_list
    (identifier) @name)) @reference.write

(assignment_statement
  left: (expression_list
    (selector_expression
      operand: (_) @receiver
      field: (field_identifier) @name))) @reference.write

(inc_statement
  (identifier) @name) @reference.write

(dec_statement
  (identifier) @name) @reference.write

(var_spec
  name: (identifier) @name) @reference.write

; Only the first name of a const_spec carries the `name` field.
(const_spec
  (identifier) @name) @reference.write

(parameter_declaration
  name: (identifier) @name) @reference.write

(variadic_parameter_declaration
  name: (identifier) @name) @reference.write

(type_parameter_declaration
  name: (identifier) @name) @reference.write

(range_clause
  left: (expression_list
    (identifier) @name)) @reference.write

(receive_statement
  left: (expression_list
    (identifier) @name)) @reference.write

(type_switch_statement
  alias: (expression_list
    (identifier) @name)) @reference.write

; ---- Imports: the alias a spec binds (the path string has no identifier).

(import_spec
  name: (package_identifier) @name) @reference.import
