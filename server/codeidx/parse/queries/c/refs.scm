; References in C: @reference.<role> around, @name inside, @receiver for the
; expression before `.` or `->`.  Identifiers matched by nothing here are
; reads.  Macro invocations parse as calls and are captured as calls.

; Calls, direct and through a struct member (`ops->open(f)`).
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.call

(call_expression
  function: (parenthesized_expression
    (pointer_expression
      argument: (identifier) @name))) @reference.call

; Member access `p->x` / `s.x`.
(field_expression
  argument: (_) @receiver
  field: (field_identifier) @name) @reference.read

; Types: typedef names and tags used as types (`struct Point p`).
(type_identifier) @name @reference.type

; Writes: assignments and increments.  Designated initializers (`.x = 1`)
; stay reads: a write without a receiver would count as a local binding.
(assignment_expression
  left: (identifier) @name) @reference.write

(assignment_expression
  left: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.write

(update_expression
  argument: (identifier) @name) @reference.write

(update_expression
  argument: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.write

; Local bindings: declarations and parameters (same declarator shapes as the
; definitions in tags.scm).
(declaration
  declarator: [(identifier) @name
               (pointer_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
               (array_declarator declarator: (identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
               (function_declarator
                 declarator: (parenthesized_declarator
                   (pointer_declarator declarator: (identifier) @name)))
               (init_declarator
                 declarator: [(identifier) @name
                              (pointer_declarator declarator: (identifier) @name)
                              (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
                              (array_declarator declarator: (identifier) @name)
                              (array_declarator declarator: (array_declarator declarator: (identifier) @name))
                              (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
                              (function_declarator
                                declarator: (parenthesized_declarator
                                  (pointer_declarator declarator: (identifier) @name)))])]) @reference.write

(parameter_declaration
  declarator: [(identifier) @name
               (pointer_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
               (array_declarator declarator: (identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
               (function_declarator
                 declarator: (parenthesized_declarator
                   (pointer_declarator declarator: (identifier) @name)))]) @reference.write

(preproc_params
  (identifier) @name) @reference.write

; A designated initializer's field (`{ .open = f }`) names a member of the
; struct the declaration or compound literal states, which is its receiver
; (role field, a write): `struct ops o = { .open = f }`, an array of them
; (`struct ops all[] = { { .open = f } }`), `(struct P){ .x = 1 }`.  Any
; other designator (a nested initializer's) names nothing in scope.
(field_designator
  (field_identifier) @name) @reference.none

(declaration
  type: [(struct_specifier
             name: (type_identifier) @receiver)
           (union_specifier
             name: (type_identifier) @receiver)
           (type_identifier) @receiver]
  declarator: (init_declarator
    declarator: (_)
    value: (initializer_list
      (initializer_pair
          designator: (field_designator
            (field_identifier) @name))))) @reference.field

(declaration
  type: [(struct_specifier
             name: (type_identifier) @receiver)
           (union_specifier
             name: (type_identifier) @receiver)
           (type_identifier) @receiver]
  declarator: (init_declarator
    declarator: (array_declarator)
    value: (initializer_list
      (initializer_list
        (initializer_pair
          designator: (field_designator
            (field_identifier) @name)))))) @reference.field

(compound_literal_expression
  type: (type_descriptor
    type: [(struct_specifier
             name: (type_identifier) @receiver)
           (union_specifier
             name: (type_identifier) @receiver)
           (type_identifier) @receiver])
  value: (initializer_list
    (initializer_pair
          designator: (field_designator
            (field_identifier) @name)))) @reference.field
