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

; `this.engine = new Engine()` in a method (the constructor, mostly) declares
; the field `engine` of the class, like Python's `self.x = ...`; the
; extractor keeps the first assignment per class.
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (this)
      property: (property_identifier) @name) @definition.member))

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

; Members assigned to a constructor function or class from outside its body:
; `Foo.prototype.bar = function () {}`, `Foo.bar = () => {}` (a static
; member) and each method of `Foo.prototype = { bar() {} }`.  They are
; methods of `Foo`, which the hooks name as their qualifier and require to be
; a function or class declared in the same block (`Array.prototype.x = …`
; and `fs.patched = …` patch what is defined elsewhere); such an assignment
; in a function body beside its `Foo` (an IIFE or UMD wrapper, compiled
; classes) is kept, like nested declarations.  `exports.name = …` is the
; CommonJS form below, not a member of anything.  Forms share a pattern where
; they can, since every pattern costs a little on every file; captures an
; alternative leaves unmatched pass their predicates.
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

; CommonJS exports of functions and classes at module level define them in
; the module: `exports.name = function () {}`, `module.exports.name = class
; {}` (the hooks tell a class by its value), and the methods of
; `module.exports = { name() {}, other: function () {} }`.  Any other value
; (`exports.name = name`, `exports.name = void 0`) exports or resets a name
; defined elsewhere and stays an occurrence, so going to its definition finds
; one answer.
((program
  (expression_statement
    (assignment_expression
      left: (member_expression
        object: [
          (identifier) @_exports
          (member_expression
            object: (identifier) @_module
            property: (property_identifier) @_exports)
        ]
        property: (property_identifier) @name)
      right: [(function_expression) (arrow_function) (generator_function) (class)]) @definition.function))
  (#eq? @_exports "exports")
  (#eq? @_module "module"))

((program
  (expression_statement
    (assignment_expression
      left: (member_expression
        object: (identifier) @_module
        property: (property_identifier) @_exports)
      right: (object
        [
          (method_definition
            name: (_) @name) @definition.function
          (pair
            key: (property_identifier) @name
            value: [(arrow_function) (function_expression) (generator_function)]) @definition.function
        ]))))
  (#eq? @_module "module")
  (#eq? @_exports "exports"))
