; References in JavaScript (and JSX): @reference.<role> around, @name inside,
; @receiver for the object of a member expression.  Identifiers matched by
; nothing here are reads; when several patterns match one identifier the
; engine keeps the most specific role.

; Calls: `f()`, `obj.m()`, `this.m()`, `obj?.m()`.
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (member_expression
    object: (_) @receiver
    property: [(property_identifier) (private_property_identifier)] @name)) @reference.call

; `new Foo()` and `new ns.Foo()`.
(new_expression
  constructor: (identifier) @name) @reference.instantiate

(new_expression
  constructor: (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.instantiate

; `class A extends B` and `class A extends ns.B`.
(class_heritage
  (identifier) @name) @reference.inherit

(class_heritage
  (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.inherit

; Decorators: `@dec`, `@ns.dec`, `@dec(args)`, `@ns.dec(args)`.
(decorator
  (identifier) @name) @reference.decorator

(decorator
  (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.decorator

(decorator
  (call_expression
    function: (identifier) @name)) @reference.decorator

(decorator
  (call_expression
    function: (member_expression
      object: (_) @receiver
      property: (property_identifier) @name))) @reference.decorator

; Member reads: `a.b` has receiver "a".
(member_expression
  object: (_) @receiver
  property: [(property_identifier) (private_property_identifier)] @name) @reference.read

; Writes: declarations, assignments, updates, loop and catch bindings.
(variable_declarator
  name: (identifier) @name) @reference.write

(assignment_expression
  left: (identifier) @name) @reference.write

(assignment_expression
  left: (member_expression
    object: (_) @receiver
    property: [(property_identifier) (private_property_identifier)] @name)) @reference.write

(augmented_assignment_expression
  left: (identifier) @name) @reference.write

(augmented_assignment_expression
  left: (member_expression
    object: (_) @receiver
    property: [(property_identifier) (private_property_identifier)] @name)) @reference.write

(update_expression
  argument: (identifier) @name) @reference.write

(for_in_statement
  left: (identifier) @name) @reference.write

(catch_clause
  parameter: (identifier) @name) @reference.write

; Parameters and destructuring bindings.
(formal_parameters
  (identifier) @name) @reference.write

(arrow_function
  parameter: (identifier) @name) @reference.write

(assignment_pattern
  left: (identifier) @name) @reference.write

(rest_pattern
  (identifier) @name) @reference.write

(array_pattern
  (identifier) @name) @reference.write

(pair_pattern
  value: (identifier) @name) @reference.write

; `const { a, b = 1 } = value` binds `a` and `b` to the value's own `a` and
; `b`: an unpack, which reads back as a write (records.ROLES).  So does
; `const { a: c } = value`, whose `c` is the value's `a`.
(variable_declarator
  name: (object_pattern
    [(shorthand_property_identifier_pattern) @name
     (object_assignment_pattern
       left: (shorthand_property_identifier_pattern) @name)
     (pair_pattern
       key: (property_identifier)
       value: [(identifier) @name
               (assignment_pattern
                 left: (identifier) @name)])])) @reference.unpack

; The `a` of `{ a: c }` in any pattern names a member of what the pattern
; takes apart, never a name in scope: a key (records.ROLES).
(pair_pattern
  key: (property_identifier) @name) @reference.key

; `{ a }` and `{ a = 1 }` in a pattern bind `a`.  These leaves count as
; occurrences only once the registry lists their type as an identifier type.
(shorthand_property_identifier_pattern) @name @reference.write

; Names that are no occurrence of anything in scope: an object literal's keys
; and methods (`{ retries: 3, run() {} }`) and a JSX element's attribute names
; (`<Button onClick={onClick} />`).
(pair
  key: (property_identifier) @name) @reference.none

(object
  (method_definition
    name: (property_identifier) @name)) @reference.none

(jsx_attribute
  .
  (property_identifier) @name) @reference.none

; Imports and re-exports: every name an import statement binds or names.
(import_clause
  (identifier) @name) @reference.import

(namespace_import
  (identifier) @name) @reference.import

(import_specifier
  name: (identifier) @name) @reference.import

(import_specifier
  alias: (identifier) @name) @reference.import

(export_statement
  (export_clause
    (export_specifier
      name: (_) @name))
  source: (_)) @reference.import

(export_statement
  (export_clause
    (export_specifier
      alias: (_) @name))
  source: (_)) @reference.import

(namespace_export
  (identifier) @name) @reference.import

; `const x = require("x")` binds an imported module.
((variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string) .))) @reference.import
  (#eq? @_require "require"))

; JSX: a capitalised element name invokes a component; lower-case names are
; intrinsic HTML elements and stay reads.  Closing tags stay reads too.
((jsx_opening_element
  name: (identifier) @name) @reference.call
  (#match? @name "^[A-Z]"))

((jsx_self_closing_element
  name: (identifier) @name) @reference.call
  (#match? @name "^[A-Z]"))

(jsx_opening_element
  name: (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.call

(jsx_self_closing_element
  name: (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.call
