; References in Java: @reference.<role> around, @name inside, @receiver for the
; qualifier.  When several patterns capture one identifier the extractor keeps
; the most specific role; identifiers matched by nothing here are reads.

; Calls: `m()`, `obj.m()`, `Type::m` method references, `Type::new`.
(method_invocation
  object: (_) @receiver
  name: (identifier) @name) @reference.call

(method_invocation
  !object
  name: (identifier) @name) @reference.call

(method_reference
  (_) @receiver
  "::"
  (identifier) @name .) @reference.call

(method_reference
  .
  (identifier) @name
  "::"
  "new") @reference.instantiate

; Instantiation: `new T()`, `new T<>()`, `new a.b.T()`.
(object_creation_expression
  type: (type_identifier) @name) @reference.instantiate

(object_creation_expression
  type: (generic_type
    (type_identifier) @name)) @reference.instantiate

(object_creation_expression
  type: (scoped_type_identifier
    (_) @receiver
    .
    (type_identifier) @name .)) @reference.instantiate

(object_creation_expression
  type: (generic_type
    (scoped_type_identifier
      (_) @receiver
      .
      (type_identifier) @name .))) @reference.instantiate

; Supertypes: `extends` and `implements` are both inherit; the linker tells
; them apart by the target's kind.
(superclass
  [(type_identifier) @name
   (generic_type
     (type_identifier) @name)]) @reference.inherit

(superclass
  [(scoped_type_identifier
     (_) @receiver
     .
     (type_identifier) @name .)
   (generic_type
     (scoped_type_identifier
       (_) @receiver
       .
       (type_identifier) @name .))]) @reference.inherit

(type_list
  [(type_identifier) @name
   (generic_type
     (type_identifier) @name)]) @reference.inherit

(type_list
  [(scoped_type_identifier
     (_) @receiver
     .
     (type_identifier) @name .)
   (generic_type
     (scoped_type_identifier
       (_) @receiver
       .
       (type_identifier) @name .))]) @reference.inherit

; Every other type identifier is a type use; a qualified type keeps its
; qualifier as the receiver.
(type_identifier) @name @reference.type

(scoped_type_identifier
  (_) @receiver
  .
  (type_identifier) @name .) @reference.type

; Annotations.
(marker_annotation
  name: (identifier) @name) @reference.decorator

(annotation
  name: (identifier) @name) @reference.decorator

(marker_annotation
  name: (scoped_identifier
    scope: (_) @receiver
    name: (identifier) @name)) @reference.decorator

(annotation
  name: (scoped_identifier
    scope: (_) @receiver
    name: (identifier) @name)) @reference.decorator

; An annotation's element (`@Retry(times = 3)`) is the annotation type's
; method of that name: the annotation is its receiver.
(annotation
  name: [(identifier) (scoped_identifier)] @receiver
  arguments: (annotation_argument_list
    (element_value_pair
      key: (identifier) @name))) @reference.read

; Writes: assignments, increments, locals, parameters and pattern bindings.
(assignment_expression
  left: (identifier) @name) @reference.write

(assignment_expression
  left: (field_access
    object: (_) @receiver
    field: (identifier) @name)) @reference.write

(update_expression
  (identifier) @name) @reference.write

(update_expression
  (field_access
    object: (_) @receiver
    field: (identifier) @name)) @reference.write

(variable_declarator
  name: (identifier) @name) @reference.write

(formal_parameter
  name: (identifier) @name) @reference.write

(spread_parameter
  (variable_declarator
    name: (identifier) @name)) @reference.write

(catch_formal_parameter
  name: (identifier) @name) @reference.write

(enhanced_for_statement
  name: (identifier) @name) @reference.write

(resource
  name: (identifier) @name) @reference.write

(inferred_parameters
  (identifier) @name) @reference.write

(lambda_expression
  parameters: (identifier) @name) @reference.write

(instanceof_expression
  name: (identifier) @name) @reference.write

; Field reads through a receiver: `obj.field`, `this.field`.
(field_access
  object: (_) @receiver
  field: (identifier) @name) @reference.read

; Imports: the imported name, qualified by its package or class.
(import_declaration
  (scoped_identifier
    scope: (_) @receiver
    name: (identifier) @name)) @reference.import
