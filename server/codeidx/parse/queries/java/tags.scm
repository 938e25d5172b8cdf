; Definitions in Java, tags convention: @definition.<kind> around, @name inside.
; Fields and constants are captured per declarator (`int a, b;` is two fields),
; so the definition node is the variable_declarator and the hooks read the
; modifiers, type and Javadoc from its parent declaration.

(class_declaration
  name: (identifier) @name) @definition.class

(record_declaration
  name: (identifier) @name) @definition.class

(interface_declaration
  name: (identifier) @name) @definition.interface

; An annotation type (`@interface Ann`) is an interface to the type system.
(annotation_type_declaration
  name: (identifier) @name) @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

(enum_constant
  name: (identifier) @name) @definition.enum_member

(method_declaration
  name: (identifier) @name) @definition.method

; Annotation elements (`String value() default "";`) are abstract methods.
(annotation_type_element_declaration
  name: (identifier) @name) @definition.method

(constructor_declaration
  name: (identifier) @name) @definition.constructor

(compact_constructor_declaration
  name: (identifier) @name) @definition.constructor

; `static final` fields are refined to constants by the hooks.
(field_declaration
  declarator: (variable_declarator
    name: (identifier) @name) @definition.field)

; Interface and annotation fields are implicitly static final.
(constant_declaration
  declarator: (variable_declarator
    name: (identifier) @name) @definition.constant)

; Record components are the record's (private final) fields.
(record_declaration
  parameters: (formal_parameters
    (formal_parameter
      name: (identifier) @name) @definition.field))
