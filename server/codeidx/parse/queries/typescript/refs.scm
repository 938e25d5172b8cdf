; References in TypeScript and TSX: @reference.<role> around, @name inside,
; @receiver for the qualifier.  One file serves both grammars, so JSX is
; matched without naming JSX nodes (see the end).  Identifiers matched by
; nothing here are reads; when several patterns match one identifier the
; engine keeps the most specific role.

; Calls: `f()`, `f<T>()`, `obj.m()`, `this.m()`, `obj?.m()`.
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

; `extends` of classes and interfaces, and `implements`, are all inherit; the
; linker tells implementing from inheriting by the target's kind.
(extends_clause
  value: (identifier) @name) @reference.inherit

(extends_clause
  value: (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.inherit

(implements_clause
  [
    (type_identifier) @name
    (generic_type
      name: (type_identifier) @name)
  ]) @reference.inherit

(implements_clause
  [
    (nested_type_identifier
      module: (_) @receiver
      name: (type_identifier) @name)
    (generic_type
      name: (nested_type_identifier
        module: (_) @receiver
        name: (type_identifier) @name))
  ]) @reference.inherit

(extends_type_clause
  [
    (type_identifier) @name
    (generic_type
      name: (type_identifier) @name)
  ]) @reference.inherit

(extends_type_clause
  [
    (nested_type_identifier
      module: (_) @receiver
      name: (type_identifier) @name)
    (generic_type
      name: (nested_type_identifier
        module: (_) @receiver
        name: (type_identifier) @name))
  ]) @reference.inherit

; Every other type name is a type reference: annotations, type arguments,
; `as`/`satisfies`, aliases, constraints.  `ns.T` has receiver "ns".
(type_identifier) @name @reference.type

(nested_type_identifier
  module: (_) @receiver
  name: (type_identifier) @name) @reference.type

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
(required_parameter
  pattern: (identifier) @name) @reference.write

(optional_parameter
  pattern: (identifier) @name) @reference.write

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

; So does an annotated parameter's: `({ topology, retries = 3 }: RetryOptions)`.
; Without its annotation, a parameter's pattern would be as far from an arrow
; function's return type (`({ a }): T =>`) as a local's from its value.
([(required_parameter
    pattern: (object_pattern
      [(shorthand_property_identifier_pattern) @name
       (object_assignment_pattern
         left: (shorthand_property_identifier_pattern) @name)
       (pair_pattern
         key: (property_identifier)
         value: [(identifier) @name
                 (assignment_pattern
                   left: (identifier) @name)])])
    type: (type_annotation))
  (optional_parameter
    pattern: (object_pattern
      [(shorthand_property_identifier_pattern) @name
       (object_assignment_pattern
         left: (shorthand_property_identifier_pattern) @name)
       (pair_pattern
         key: (property_identifier)
         value: [(identifier) @name
                 (assignment_pattern
                   left: (identifier) @name)])])
    type: (type_annotation))]) @reference.unpack

; `{ a }` and `{ a = 1 }` in a pattern bind `a`.  These leaves count as
; occurrences only once the registry lists their type as an identifier type.
(shorthand_property_identifier_pattern) @name @reference.write

; Names that are no occurrence of anything in scope: an object literal's keys
; and methods (`{ retries: 3, run() {} }`), the members of an object type
; written in place (`(o: { version?: string; toJSON(): T })`) and, in TSX, an
; element's attribute names (`<Button onClick={onClick} />`, an element being
; a node whose `name` directly follows `<`, see the end).
(pair
  key: (property_identifier) @name) @reference.none

(object
  (method_definition
    name: (property_identifier) @name)) @reference.none

(object_type
  [(property_signature
     name: (property_identifier) @name)
   (method_signature
     name: (property_identifier) @name)]) @reference.none

(_
  "<"
  .
  name: (_)
  (_
    .
    (property_identifier) @name)) @reference.none

; An object literal's keys and methods set members of its type where the code
; states it: `const o: Opts = {…}`, a field's `o: Opts = {…}`, `{…} as Opts`,
; `{…} satisfies Opts`, and what a function declared to return `Opts` returns
; (in its own body).  The type is the receiver, so `retries` of
; `{ retries: 3 }` is `Opts.retries`; a field beats the `none` of other keys.
([(variable_declarator
    type: (type_annotation
      [(type_identifier) @receiver
       (nested_type_identifier) @receiver
       (generic_type
         name: (_) @receiver)])
    value: (object
      [(pair
         key: (property_identifier) @name)
       (method_definition
         name: (property_identifier) @name)]))
  (public_field_definition
    type: (type_annotation
      [(type_identifier) @receiver
       (nested_type_identifier) @receiver
       (generic_type
         name: (_) @receiver)])
    value: (object
      [(pair
         key: (property_identifier) @name)
       (method_definition
         name: (property_identifier) @name)]))]) @reference.field

([(as_expression
    (object
      [(pair
         key: (property_identifier) @name)
       (method_definition
         name: (property_identifier) @name)])
    [(type_identifier) @receiver
     (nested_type_identifier) @receiver
     (generic_type
       name: (_) @receiver)])
  (satisfies_expression
    (object
      [(pair
         key: (property_identifier) @name)
       (method_definition
         name: (property_identifier) @name)])
    [(type_identifier) @receiver
     (nested_type_identifier) @receiver
     (generic_type
       name: (_) @receiver)])]) @reference.field

(_
  return_type: (type_annotation
    [(type_identifier) @receiver
     (nested_type_identifier) @receiver
     (generic_type
       name: (_) @receiver)])
  body: [(statement_block
           (return_statement
             (object
               [(pair
                  key: (property_identifier) @name)
                (method_definition
                  name: (property_identifier) @name)])))
         (parenthesized_expression
           (object
             [(pair
                key: (property_identifier) @name)
              (method_definition
                name: (property_identifier) @name)]))]) @reference.field

; An object literal passed to a call is an options object: its keys and
; methods name members of a parameter's type, found through the callee, its
; receiver (`connect(url, { timeoutMS: 10 })`, `new Client({ timeoutMS: 10 })`);
; an option, too, beats the `none` of other keys.
([(call_expression
    function: (_) @receiver
    arguments: (arguments
      (object
        [(pair
           key: (property_identifier) @name)
         (method_definition
           name: (property_identifier) @name)])))
  (new_expression
    constructor: (_) @receiver
    arguments: (arguments
      (object
        [(pair
           key: (property_identifier) @name)
         (method_definition
           name: (property_identifier) @name)])))]) @reference.option

; Imports and re-exports: every name an import statement binds or names.
(import_clause
  (identifier) @name) @reference.import

(namespace_import
  (identifier) @name) @reference.import

(import_specifier
  name: (identifier) @name) @reference.import

(import_specifier
  alias: (identifier) @name) @reference.import

(import_require_clause
  (identifier) @name) @reference.import

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

; JSX (TSX only).  The TypeScript grammar has no JSX nodes, so a query naming
; them would not compile for .ts files; an element is instead "a node whose
; `name` field directly follows `<`", which only JSX opening and
; self-closing tags are.  A capitalised name invokes a component; lower-case
; names are HTML elements and stay reads, as do closing tags.
((_
  "<"
  .
  name: (identifier) @name) @reference.call
  (#match? @name "^[A-Z]"))

(_
  "<"
  .
  name: (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.call
