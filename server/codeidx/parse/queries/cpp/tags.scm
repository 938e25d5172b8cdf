; Definitions in C++, tags convention: @definition.<kind> around, @name inside.
; Everything C has (see queries/c/tags.scm for the declarator shapes), plus
; namespaces, classes, methods, constructors, templates and aliases.  Names
; are bare ("ns::Class::method"): the hooks qualify out-of-line definitions
; (`void Shape::area() {}`) by the scope written before the name.  Methods are
; captured as functions and refined by the hooks (method, constructor, or a
; destructor recorded as a constructor named "~Class", as clangd does).

; Function definitions: free, inline in a class, out-of-line (up to three
; scopes deep), operators, destructors and explicit specializations (`f<int>`).
; The leaves are listed one by one: an alternation nested directly in another
; (`[[(a) (b)] @name (c)]`) silently stops matching some of its branches.
(function_definition
  declarator: (function_declarator
    declarator: [(identifier) @name
                 (field_identifier) @name
                 (destructor_name) @name
                 (operator_name) @name
                 (template_function name: (identifier) @name)
                 (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)
                 (qualified_identifier name: (template_function name: (identifier) @name))
                 (qualified_identifier name: (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name))
                 (qualified_identifier
                   name: (qualified_identifier name: (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)))])) @definition.function

(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: [(identifier) @name
                   (field_identifier) @name
                   (destructor_name) @name
                   (operator_name) @name
                   (template_function name: (identifier) @name)
                   (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)
                   (qualified_identifier name: (template_function name: (identifier) @name))
                   (qualified_identifier name: (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name))
                   (qualified_identifier
                     name: (qualified_identifier name: (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)))]))) @definition.function

(function_definition
  declarator: (reference_declarator
    (function_declarator
      declarator: [(identifier) @name
                   (field_identifier) @name
                   (destructor_name) @name
                   (operator_name) @name
                   (template_function name: (identifier) @name)
                   (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)
                   (qualified_identifier name: (template_function name: (identifier) @name))
                   (qualified_identifier name: (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name))
                   (qualified_identifier
                     name: (qualified_identifier name: (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)))]))) @definition.function

; Method declarations inside a class body.
(field_declaration
  declarator: [(function_declarator
                 declarator: [(field_identifier) (destructor_name) (operator_name)] @name)
               (pointer_declarator
                 declarator: (function_declarator
                   declarator: [(field_identifier) (destructor_name) (operator_name)] @name))
               (reference_declarator
                 (function_declarator
                   declarator: [(field_identifier) (destructor_name) (operator_name)] @name))]) @definition.function

; Prototypes and in-class constructor declarations, only where they declare
; something: not in function bodies, not as `friend` declarations.
(translation_unit
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(declaration_list
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(field_declaration_list
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(template_declaration
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(linkage_specification
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(preproc_if
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(preproc_ifdef
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(preproc_else
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(preproc_elif
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(preproc_elifdef
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

(ERROR
  (declaration
    declarator: [(function_declarator
                   declarator: [(identifier) (destructor_name) (operator_name)] @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))
                 (reference_declarator
                   (function_declarator
                     declarator: [(identifier) (destructor_name) (operator_name)] @name))]) @definition.function)

; Variables, one per declarator; locals are dropped by the extractor and
; `const`/`constexpr` ones refined to constants by the hooks.
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
                                             (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @name)))])] @definition.variable)

(namespace_definition
  name: [(namespace_identifier) (nested_namespace_specifier)] @name) @definition.namespace

; Tagged types are definitions only with a body; specializations
; (`template <> struct hash<Key> {...}`) are named by their template.
(class_specifier
  name: [(type_identifier) @name
         (template_type name: (type_identifier) @name)]
  body: (_)) @definition.class

(struct_specifier
  name: [(type_identifier) @name
         (template_type name: (type_identifier) @name)]
  body: (_)) @definition.struct

(union_specifier
  name: (type_identifier) @name
  body: (_)) @definition.union

(enum_specifier
  name: (type_identifier) @name
  body: (_)) @definition.enum

(enumerator
  name: (identifier) @name) @definition.enum_member

(alias_declaration
  name: (type_identifier) @name) @definition.type_alias

; `typedef struct { ... } Name;` names the anonymous type (see the C queries).
(type_definition
  type: (struct_specifier !name body: (_)) @definition.struct
  declarator: (type_identifier) @name)

(type_definition
  type: (union_specifier !name body: (_)) @definition.union
  declarator: (type_identifier) @name)

(type_definition
  type: (enum_specifier !name body: (_)) @definition.enum
  declarator: (type_identifier) @name)

(type_definition
  type: [(_ !body)
         (struct_specifier name: (_))
         (class_specifier name: (_))
         (union_specifier name: (_))
         (enum_specifier name: (_))]
  declarator: [(type_identifier) @name
               (pointer_declarator declarator: (type_identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (type_identifier) @name))
               (array_declarator declarator: (type_identifier) @name)
               (function_declarator declarator: (type_identifier) @name)
               (function_declarator
                 declarator: (parenthesized_declarator
                   (pointer_declarator declarator: (type_identifier) @name)))] @definition.type_alias)

(type_definition
  type: [(struct_specifier !name body: (_))
         (union_specifier !name body: (_))
         (enum_specifier !name body: (_))]
  declarator: (pointer_declarator
    declarator: (type_identifier) @name) @definition.type_alias)

; Data members, one per declarator.

(field_declaration
  declarator: [(field_identifier) @name
               (pointer_declarator declarator: (field_identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (field_identifier) @name))
               (array_declarator declarator: (field_identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (field_identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (field_identifier) @name))
               (reference_declarator (field_identifier) @name)
               (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (field_identifier) @name)))] @definition.field)

; Object-like and function-like macros.
(preproc_def
  name: (identifier) @name) @definition.macro

(preproc_function_def
  name: (identifier) @name) @definition.macro
