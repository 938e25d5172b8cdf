; Definitions in JavaScript (and JSX), tags convention: @definition.<kind>
; around, @name inside.  The hooks refine kinds by context: a method named
; "constructor" is a constructor, get/set accessors are properties, a field or
; variable holding a function is a method or function, a `const` is a
; constant.

; Function and generator declarations, anywhere (nested ones are kept).
(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

; Functions and classes bound to a variable are named by the variable, at any
; depth, like declarations.
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(variable_declarator
  name: (identifier) @name
  value: (class)) @definition.class

; `export default function () {}` and `export default class {}`: the
; `default` keyword names them, as importers see them.
(export_statement
  "default" @name
  value: [(function_expression !name) (arrow_function)] @definition.function)

(export_statement
  "default" @name
  value: (class !name) @definition.class)

(class_declaration
  name: (identifier) @name) @definition.class

; Class members.
(class_body
  (method_definition
    name: (_) @name) @definition.method)

(class_body
  (field_definition
    property: (_) @name) @definition.field)

; Variables and constants only at module level: bindings inside callbacks
; (`describe(() => { const x = ... })`) are locals, not module members.  The
; wildcard under `program` stands for `const`/`let` and `var` declarations.
; A binding initialised by `require("x")` is an import, not a definition: the
; value's first named child, when an identifier, must not be `require`.  (The
; test is on that identifier, not on the value's text, because text
; predicates decode the captured text and fail on invalid UTF-8.)
((program
  [
    (_
      (variable_declarator
        name: (identifier) @name
        value: (_ . (identifier)? @_head)?) @definition.variable)
    (export_statement
      (_
        (variable_declarator
          name: (identifier) @name
          value: (_ . (identifier)? @_head)?) @definition.variable))
  ])
  (#not-eq? @_head "require"))

; Destructured module-level bindings are defined one by one.
((program
  [
    (_
      (variable_declarator
        name: [
          (object_pattern
            [
              (shorthand_property_identifier_pattern) @name @definition.variable
              (pair_pattern
                value: (identifier) @name @definition.variable)
              (object_assignment_pattern
                left: (shorthand_property_identifier_pattern) @name @definition.variable)
              (rest_pattern
                (identifier) @name @definition.variable)
            ])
          (array_pattern
            [
              (identifier) @name @definition.variable
              (assignment_pattern
                left: (identifier) @name @definition.variable)
              (rest_pattern
                (identifier) @name @definition.variable)
            ])
        ]
        value: (_ . (identifier)? @_head)))
    (export_statement
      (_
        (variable_declarator
          name: [
            (object_pattern
              [
                (shorthand_property_identifier_pattern) @name @definition.variable
                (pair_pattern
                  value: (identifier) @name @definition.variable)
              ])
            (array_pattern
              (identifier) @name @definition.variable)
          ]
          value: (_ . (identifier)? @_head))))
  ])
  (#not-eq? @_head "require"))

; Methods of object literals bound at module level (`const api = { get() {} }`)
; belong to that binding.
(program
  [
    (_
      (variable_declarator
        value: (object
          [
            (method_definition
              name: (_) @name) @definition.method
            (pair
              key: (property_identifier) @name
              value: [(arrow_function) (function_expression)]) @definition.method
          ])))
    (export_statement
      (_
        (variable_declarator
          value: (object
            [
              (method_definition
                name: (_) @name) @definition.method
              (pair
                key: (property_identifier) @name
                value: [(arrow_function) (function_expression)]) @definition.method
            ]))))
  ])
