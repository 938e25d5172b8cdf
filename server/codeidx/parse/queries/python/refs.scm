; References in Python: @reference.<role> around, @name inside, @receiver for
; the qualifier of an attribute.  Identifiers matched by nothing here are reads.
; The grammar has no descendant operator, so nested shapes (types, patterns)
; are spelled out to the depths real code uses.

; --- Calls -------------------------------------------------------------------

(call
  function: (identifier) @name) @reference.call

(call
  function: (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.call

(attribute
  object: (_) @receiver
  attribute: (identifier) @name) @reference.read

; --- Bindings: assignment targets, loop and context variables ----------------

(assignment
  left: (identifier) @name) @reference.write

(assignment
  left: (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.write

; Unpacking targets anywhere (assignments, for loops, comprehensions).
(pattern_list
  (identifier) @name) @reference.write

(tuple_pattern
  (identifier) @name) @reference.write

(list_pattern
  (identifier) @name) @reference.write

(augmented_assignment
  left: (identifier) @name) @reference.write

(augmented_assignment
  left: (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.write

(for_statement
  left: (identifier) @name) @reference.write

(for_in_clause
  left: (identifier) @name) @reference.write

; `with open(p) as f`, `with ctx() as (a, b)`, `with ctx() as self.x`.
(as_pattern_target
  (identifier) @name) @reference.write

(as_pattern_target
  [(tuple (identifier) @name) (list (identifier) @name)]) @reference.write

(as_pattern_target
  (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.write

(named_expression
  name: (identifier) @name) @reference.write

; `global x` / `nonlocal x` declare that writes go to an outer binding: the
; name is not a local of the function (@outer tells the extractor so).
(global_statement
  (identifier) @name @outer) @reference.write

(nonlocal_statement
  (identifier) @name @outer) @reference.write

; --- Parameters --------------------------------------------------------------

(parameters
  (identifier) @name) @reference.write

(lambda_parameters
  (identifier) @name) @reference.write

(typed_parameter
  .
  (identifier) @name) @reference.write

(default_parameter
  name: (identifier) @name) @reference.write

(typed_default_parameter
  name: (identifier) @name) @reference.write

(list_splat_pattern
  (identifier) @name) @reference.write

(dictionary_splat_pattern
  (identifier) @name) @reference.write

; A keyword argument's name names a parameter of the callee, which the
; receiver holds (`f` in `f(key=1)`, `self.run` in `self.run(key=1)`): resolved
; where the call is written, it would name whatever has that name there.
(call
  function: (_) @receiver
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @name))) @reference.argument

; A class statement's keywords (`metaclass=M`) are no occurrence at all.
(class_definition
  superclasses: (argument_list
    (keyword_argument
      name: (identifier) @name))) @reference.none

; --- match/case: capture patterns bind, class patterns name a type ------------

(case_pattern
  (dotted_name
    .
    (identifier) @name
    .)) @reference.write

(keyword_pattern
  (dotted_name
    .
    (identifier) @name
    .)) @reference.write

(splat_pattern
  (identifier) @name) @reference.write

(case_pattern
  (as_pattern
    (identifier) @name)) @reference.write

(class_pattern
  (dotted_name
    (identifier) @name
    .)) @reference.type

; --- Supertypes and decorators -----------------------------------------------

(class_definition
  superclasses: (argument_list
    (identifier) @name)) @reference.inherit

(class_definition
  superclasses: (argument_list
    (attribute
      object: (_) @receiver
      attribute: (identifier) @name))) @reference.inherit

; Generic bases: `Base[T]`, `pkg.Base[T]`.
(class_definition
  superclasses: (argument_list
    (subscript
      value: (identifier) @name))) @reference.inherit

(class_definition
  superclasses: (argument_list
    (subscript
      value: (attribute
        object: (_) @receiver
        attribute: (identifier) @name)))) @reference.inherit

(decorator
  (identifier) @name) @reference.decorator

(decorator
  (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.decorator

(decorator
  (call
    function: (identifier) @name)) @reference.decorator

(decorator
  (call
    function: (attribute
      object: (_) @receiver
      attribute: (identifier) @name))) @reference.decorator

; --- Type annotations --------------------------------------------------------
; `type` wraps every annotation; inside it `list[int]` is a generic_type whose
; arguments are `type` again, while `pkg.List[int]` is a subscript and
; `int | None` a binary_operator, which need their own patterns.

(type
  (identifier) @name) @reference.type

(generic_type
  (identifier) @name) @reference.type

(type
  (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.type

(type
  (list
    (identifier) @name)) @reference.type

; Unions `int | pkg.Other | None` nest to the left: three members deep.
(type
  (binary_operator
    [left: (identifier) @name right: (identifier) @name])) @reference.type

(type
  (binary_operator
    [
      left: (attribute object: (_) @receiver attribute: (identifier) @name)
      right: (attribute object: (_) @receiver attribute: (identifier) @name)
    ])) @reference.type

(type
  (binary_operator
    left: (binary_operator
      [left: (identifier) @name right: (identifier) @name]))) @reference.type

(type
  (binary_operator
    left: (binary_operator
      [
        left: (attribute object: (_) @receiver attribute: (identifier) @name)
        right: (attribute object: (_) @receiver attribute: (identifier) @name)
      ]))) @reference.type

(type
  (binary_operator
    left: (binary_operator
      left: (binary_operator
        [left: (identifier) @name right: (identifier) @name])))) @reference.type

(type
  (subscript
    [value: (identifier) @name subscript: (identifier) @name])) @reference.type

(type
  (subscript
    [
      value: (attribute object: (_) @receiver attribute: (identifier) @name)
      subscript: (attribute object: (_) @receiver attribute: (identifier) @name)
    ])) @reference.type

(type
  (subscript
    subscript: (subscript
      [value: (identifier) @name subscript: (identifier) @name]))) @reference.type

(type
  (subscript
    subscript: (subscript
      [
        value: (attribute object: (_) @receiver attribute: (identifier) @name)
        subscript: (attribute object: (_) @receiver attribute: (identifier) @name)
      ]))) @reference.type

; --- Imports: every identifier of the statement ------------------------------

(import_statement
  name: (dotted_name
    (identifier) @name)) @reference.import

(import_statement
  name: (aliased_import
    name: (dotted_name
      (identifier) @name))) @reference.import

(import_statement
  name: (aliased_import
    alias: (identifier) @name)) @reference.import

(import_from_statement
  module_name: (dotted_name
    (identifier) @name)) @reference.import

(import_from_statement
  module_name: (relative_import
    (dotted_name
      (identifier) @name))) @reference.import

(import_from_statement
  name: (dotted_name
    (identifier) @name)) @reference.import

(import_from_statement
  name: (aliased_import
    name: (dotted_name
      (identifier) @name))) @reference.import

(import_from_statement
  name: (aliased_import
    alias: (identifier) @name)) @reference.import

(future_import_statement
  name: (dotted_name
    (identifier) @name)) @reference.import

(future_import_statement
  name: (aliased_import
    [name: (dotted_name (identifier) @name) alias: (identifier) @name])) @reference.import
