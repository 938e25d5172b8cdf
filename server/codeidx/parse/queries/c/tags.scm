; Definitions in C, tags convention: @definition.<kind> around, @name inside.
; C has one global namespace, so qualified names are bare ("main", "Point::x").
; Queries cannot follow declarators to any depth, so the usual shapes are
; spelled out: plain, pointer, pointer-to-pointer, array, 2-D array, array
; of pointers and function pointer.  Variables and fields are captured per
; declarator (`int a, *b;` defines two); the hooks read the specifiers and
; comments from the enclosing declaration.

; Function definitions, including functions returning pointers.
(function_definition
  declarator: [(function_declarator
                 declarator: (identifier) @name)
               (pointer_declarator
                 declarator: (function_declarator
                   declarator: (identifier) @name))
               (pointer_declarator
                 declarator: (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name)))]) @definition.function

; Prototypes, at file level only (including preprocessor branches and
; `extern "C"` blocks): a prototype inside a function body declares nothing
; worth indexing.  The hooks give them a signature ending in ";".
(translation_unit
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(preproc_ifdef
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(preproc_if
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(preproc_else
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(preproc_elif
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(preproc_elifdef
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(declaration_list
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(linkage_specification
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

(ERROR
  (declaration
    declarator: [(function_declarator
                   declarator: (identifier) @name)
                 (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @name))]) @definition.function)

; Variables, one per declarator.  The extractor drops those inside functions;
; the hooks refine `const` ones to constants.
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
                                  (pointer_declarator declarator: (identifier) @name)))])] @definition.variable)

; Tagged types are definitions only with a body (`struct P;` and `struct P p`
; merely name them).
(struct_specifier
  name: (type_identifier) @name
  body: (_)) @definition.struct

(union_specifier
  name: (type_identifier) @name
  body: (_)) @definition.union

(enum_specifier
  name: (type_identifier) @name
  body: (_)) @definition.enum

(enumerator
  name: (identifier) @name) @definition.enum_member

; `typedef struct { ... } Name;`: the anonymous type takes the typedef's name,
; so its fields are "Name::field" and no separate alias is recorded.
(type_definition
  type: (struct_specifier !name body: (_)) @definition.struct
  declarator: (type_identifier) @name)

(type_definition
  type: (union_specifier !name body: (_)) @definition.union
  declarator: (type_identifier) @name)

(type_definition
  type: (enum_specifier !name body: (_)) @definition.enum
  declarator: (type_identifier) @name)

; Other typedefs, one alias per declarator; the alias node is the declarator
; so that a tagged type defined inside the typedef is not nested under it.
(type_definition
  type: [(_ !body)
         (struct_specifier name: (_))
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

; A pointer typedef of an anonymous type (`typedef struct {...} *PNode;`).
(type_definition
  type: [(struct_specifier !name body: (_))
         (union_specifier !name body: (_))
         (enum_specifier !name body: (_))]
  declarator: (pointer_declarator
    declarator: (type_identifier) @name) @definition.type_alias)

; Struct and union fields, one per declarator.
(field_declaration
  declarator: [(field_identifier) @name
               (pointer_declarator declarator: (field_identifier) @name)
               (pointer_declarator declarator: (pointer_declarator declarator: (field_identifier) @name))
               (array_declarator declarator: (field_identifier) @name)
               (array_declarator declarator: (array_declarator declarator: (field_identifier) @name))
               (pointer_declarator declarator: (array_declarator declarator: (field_identifier) @name))
               (function_declarator
                 declarator: (parenthesized_declarator
                   (pointer_declarator declarator: (field_identifier) @name)))] @definition.field)

; Object-like and function-like macros.
(preproc_def
  name: (identifier) @name) @definition.macro

(preproc_function_def
  name: (identifier) @name) @definition.macro
