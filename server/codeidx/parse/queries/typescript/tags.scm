; Definitions in TypeScript and TSX (one file serves both grammars, so no JSX
; node may appear here), tags convention: @definition.<kind> around, @name
; inside.  The hooks refine kinds by context: a method named "constructor" is
; a constructor, get/set accessors are properties, a field or variable holding
; a function is a method or function, a `const` is a constant.  Overloads and
; their implementation share a name; the engine's disambiguator tells them
; apart.

; Functions, generators and overload or `declare` signatures, anywhere.
(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(function_signature
  name: (identifier) @name) @definition.function

; Functions and classes bound to a variable are named by the variable.
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(variable_declarator
  name: (identifier) @name
  value: (class)) @definition.class

; `export default function () {}` and `export default class {}`.
(export_statement
  "default" @name
  value: [(function_expression !name) (arrow_function)] @definition.function)

(export_statement
  "default" @name
  value: (class !name) @definition.class)

; Types.
(class_declaration
  name: (type_identifier) @name) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(type_alias_declaration
  name: (type_identifier) @name) @definition.type_alias

(enum_declaration
  name: (identifier) @name) @definition.enum

(enum_body
  name: (property_identifier) @name @definition.enum_member)

(enum_body
  name: (string
    (string_fragment) @name) @definition.enum_member)

(enum_assignment
  name: [
    (property_identifier) @name
    (string (string_fragment) @name)
  ]) @definition.enum_member

; `namespace A.B {}`, `module M {}` and `declare module "pkg" {}`.
(internal_module
  name: (_) @name) @definition.namespace

(module
  name: [
    (identifier) @name
    (nested_identifier) @name
    (string (string_fragment) @name)
  ]) @definition.namespace

; Class members, including overload and abstract signatures.
(class_body
  (method_definition
    name: (_) @name) @definition.method)

(class_body
  (method_signature
    name: (_) @name) @definition.method)

(class_body
  (abstract_method_signature
    name: (_) @name) @definition.method)

(class_body
  (public_field_definition
    name: (_) @name) @definition.field)

; Parameter properties: `constructor(private readonly engine: Engine)` also
; declares the field `engine` of the class (a member written inside a
; method, like Python's `self.x = ...`).
((method_definition
  name: (property_identifier) @_constructor
  parameters: (formal_parameters
    [
      (required_parameter
        [(accessibility_modifier) "readonly" (override_modifier)]
        pattern: (identifier) @name) @definition.member
      (optional_parameter
        [(accessibility_modifier) "readonly" (override_modifier)]
        pattern: (identifier) @name) @definition.member
    ]))
  (#eq? @_constructor "constructor"))

; Interface members.
(interface_body
  (method_signature
    name: (_) @name) @definition.method)

(interface_body
  (property_signature
    name: (_) @name) @definition.field)

; Variables and constants at module or namespace level only (bindings inside
; callbacks are locals), plain, exported or `declare`d.  A binding initialised
; by `require("x")` is an import, not a definition: the value's first named
; child, when an identifier, must not be `require`.  (The test is on that
; identifier, not on the value's text, because text predicates decode the
; captured text and fail on invalid UTF-8.)
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
    (ambient_declaration
      (_
        (variable_declarator
          name: (identifier) @name) @definition.variable))
    (export_statement
      (ambient_declaration
        (_
          (variable_declarator
            name: (identifier) @name) @definition.variable)))
  ])
  (#not-eq? @_head "require"))

([
  (internal_module
    body: (statement_block
      [
        (_
          (variable_declarator
            name: (identifier) @name) @definition.variable)
        (export_statement
          (_
            (variable_declarator
              name: (identifier) @name) @definition.variable))
      ]))
  (module
    body: (statement_block
      [
        (_
          (variable_declarator
            name: (identifier) @name) @definition.variable)
        (export_statement
          (_
            (variable_declarator
              name: (identifier) @name) @definition.variable))
      ]))
])

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

; Members assigned to a function or class from outside its body, as in
; JavaScript: `Foo.prototype.bar = function () {}`, `Foo.bar = () => {}` (a
; function's expando property, or a static member) and each method of
; `Foo.prototype = { bar() {} }`.  The hooks name `Foo` as their qualifier
; and require it to be a function or class declared in the same block.
; (CommonJS `exports.name = …` is JavaScript's: TypeScript code exports with
; `export`.)  Unmatched captures pass their predicates.
((expression_statement
  (assignment_expression
    left: (member_expression
      object: [
        (member_expression
          object: (identifier)
          property: (property_identifier) @_prototype)
        (identifier) @_owner
      ]
      property: (property_identifier) @name)
    right: [(function_expression) (arrow_function) (generator_function)]) @definition.method)
  (#eq? @_prototype "prototype")
  (#not-eq? @_owner "exports")
  (#not-eq? @name "prototype"))

((expression_statement
  (assignment_expression
    left: (member_expression
      object: (identifier)
      property: (property_identifier) @_prototype)
    right: (object
      [
        (method_definition
          name: (_) @name) @definition.method
        (pair
          key: (property_identifier) @name
          value: [(arrow_function) (function_expression) (generator_function)]) @definition.method
      ])))
  (#eq? @_prototype "prototype"))
