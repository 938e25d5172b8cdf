; Definitions in Rust, tags convention: @definition.<kind> around, @name inside.
; Functions inside traits and impls become methods in the hooks (refine_kind),
; `static mut` becomes a variable, and `mod x;` is an import, not a definition.

(function_item
  name: (identifier) @name) @definition.function

; Trait method signatures and functions declared in `extern` blocks.
(function_signature_item
  name: (identifier) @name) @definition.function

(struct_item
  name: (type_identifier) @name) @definition.struct

(union_item
  name: (type_identifier) @name) @definition.union

(enum_item
  name: (type_identifier) @name) @definition.enum

(enum_variant
  name: (identifier) @name) @definition.enum_member

; Named fields of structs, unions and struct-like enum variants.
(field_declaration
  name: (field_identifier) @name) @definition.field

(trait_item
  name: (type_identifier) @name) @definition.trait

; An impl block is named after the implemented type without path or type
; arguments (`impl<T> fmt::Display for a::Point<T>` is named "Point"), so its
; methods qualify as `Point::method`.  The patterns are disjoint on purpose:
; the engine keeps one capture per definition node.
(impl_item
  type: (type_identifier) @name) @definition.impl

(impl_item
  type: (scoped_type_identifier
    name: (type_identifier) @name)) @definition.impl

(impl_item
  type: (generic_type
    type: [
      (type_identifier) @name
      (scoped_type_identifier
        name: (type_identifier) @name)
    ])) @definition.impl

(impl_item
  type: (reference_type
    type: [
      (type_identifier) @name
      (scoped_type_identifier
        name: (type_identifier) @name)
      (generic_type
        type: [
          (type_identifier) @name
          (scoped_type_identifier
            name: (type_identifier) @name)
        ])
    ])) @definition.impl

; Impls for primitive, slice, array, tuple, unit, never, pointer or function
; types are named by the type's text, through a reference too (`impl X for
; &'a str` is named "str"): items of an impl no pattern matched would sit in
; the module and hide names imported there.
(impl_item
  type: [
    (primitive_type)
    (array_type)
    (tuple_type)
    (unit_type)
    (never_type)
    (pointer_type)
    (function_type)
    (dynamic_type)
  ] @name) @definition.impl

(impl_item
  type: (reference_type
    type: [
      (primitive_type)
      (array_type)
      (tuple_type)
      (unit_type)
      (pointer_type)
      (function_type)
      (dynamic_type)
    ] @name)) @definition.impl

(const_item
  name: (identifier) @name) @definition.constant

(static_item
  name: (identifier) @name) @definition.constant

(type_item
  name: (type_identifier) @name) @definition.type_alias

; `type Output;` inside a trait.
(associated_type
  name: (type_identifier) @name) @definition.type_alias

(macro_definition
  name: (identifier) @name) @definition.macro

; Only inline modules are namespaces; `mod x;` has no body.
(mod_item
  name: (identifier) @name
  body: (declaration_list)) @definition.namespace
