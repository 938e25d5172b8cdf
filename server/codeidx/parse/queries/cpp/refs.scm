; References in C++: @reference.<role> around, @name inside, @receiver for the
; qualifier (`obj` in `obj.m()`, `p` in `p->m()`, `ns` in `ns::f()`; for
; `a::b::f()` the nearest scope, `b`).  Identifiers matched by nothing here
; are reads.  Macro invocations parse as calls and are captured as calls.

; Calls.
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (template_function
    name: (identifier) @name)) @reference.call

(call_expression
  function: (field_expression
    argument: (_) @receiver
    field: [(field_identifier) @name
            (template_method name: (field_identifier) @name)
            (qualified_identifier name: (identifier) @name)])) @reference.call

(call_expression
  function: (qualified_identifier
    scope: (_) @receiver
    name: [(identifier) @name
           (template_function name: (identifier) @name)])) @reference.call

(call_expression
  function: (qualified_identifier
    name: (qualified_identifier
      scope: (_) @receiver
      name: [(identifier) @name
             (template_function name: (identifier) @name)]))) @reference.call

(call_expression
  function: (qualified_identifier
    name: (qualified_identifier
      name: (qualified_identifier
        scope: (_) @receiver
        name: [(identifier) @name
               (template_function name: (identifier) @name)])))) @reference.call

(call_expression
  function: (parenthesized_expression
    (pointer_expression
      argument: (identifier) @name))) @reference.call

; `new T`, `new T<U>`, `new ns::T`.
(new_expression
  type: [(type_identifier) @name
         (template_type name: (type_identifier) @name)]) @reference.instantiate

(new_expression
  type: (qualified_identifier
    scope: (_) @receiver
    name: [(type_identifier) @name
           (template_type name: (type_identifier) @name)])) @reference.instantiate

; Base classes.
(base_class_clause
  [(type_identifier) @name
   (template_type name: (type_identifier) @name)]) @reference.inherit

(base_class_clause
  (qualified_identifier
    scope: (_) @receiver
    name: [(type_identifier) @name
           (template_type name: (type_identifier) @name)])) @reference.inherit

; `using namespace a::b;` and `using a::b::name;` import names.
(using_declaration
  "namespace"
  (identifier) @name) @reference.import

(using_declaration
  (qualified_identifier
    scope: (_) @receiver
    name: (identifier) @name)) @reference.import

(using_declaration
  (qualified_identifier
    name: (qualified_identifier
      scope: (_) @receiver
      name: (identifier) @name))) @reference.import

; Attributes (`[[nodiscard]]`).
(attribute
  name: (identifier) @name) @reference.decorator

; Member access and qualified names.
(field_expression
  argument: (_) @receiver
  field: (field_identifier) @name) @reference.read

(qualified_identifier
  scope: (_) @receiver
  name: (identifier) @name) @reference.read

; Types, qualified ones keeping their scope.
(type_identifier) @name @reference.type

(qualified_identifier
  scope: (_) @receiver
  name: [(type_identifier) @name
         (template_type name: (type_identifier) @name)]) @reference.type

; Writes: assignments and increments.  Designated initializers (`.x = 1`)
; stay reads: a write without a receiver would count as a local binding.
(assignment_expression
  left: (identifier) @name) @reference.write

(assignment_expression
  left: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.write

(assignment_expression
  left: (qualified_identifier
    scope: (_) @receiver
    name: (identifier) @name)) @reference.write

(update_expression
  argument: (identifier) @name) @reference.write

(update_expression
  argument: (field_expression
    argument: (_) @receiver
    field: (field_identifier) @name)) @reference.write

; Local bindings: declarations, parameters, range-for variables and
; structured bindings.
(declaration
  declarator: [(identifier) @name
               (pointer_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
               (array_declarator declarator: (identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
               (reference_declarator (identifier) @name)
               (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @name)))
               (init_declarator declarator: [(identifier) @name
                                             (pointer_declarator declarator: (identifier) @name)
                                             (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
                                             (array_declarator declarator: (identifier) @name)
                                             (array_declarator declarator: (array_declarator declarator: (identifier) @name))
                                             (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
                                             (reference_declarator (identifier) @name)
                                             (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @name)))])]) @reference.write

(parameter_declaration
  declarator: [(identifier) @name
               (pointer_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
               (array_declarator declarator: (identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
               (reference_declarator (identifier) @name)
               (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @name)))]) @reference.write

(optional_parameter_declaration
  declarator: [(identifier) @name
               (pointer_declarator declarator: (identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @name))
               (array_declarator declarator: (identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (identifier) @name))
               (reference_declarator (identifier) @name)
               (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @name)))]) @reference.write

(variadic_parameter_declaration
  declarator: (variadic_declarator
    (identifier) @name)) @reference.write

(for_range_loop
  declarator: [(identifier) @name
               (reference_declarator (identifier) @name)
               (pointer_declarator declarator: (identifier) @name)
               (structured_binding_declarator (identifier) @name)]) @reference.write

(structured_binding_declarator
  (identifier) @name) @reference.write

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
