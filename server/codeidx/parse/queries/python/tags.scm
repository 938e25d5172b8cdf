; Definitions in Python, tags convention: @definition.<kind> around, @name inside.
; The grammar's expression_statement is a hidden supertype: a statement-level
; assignment is matched as `expression_statement/assignment`, which leaves out
; the inner assignments of a chain `a = b = 1`.  The extractor keeps variables
; only at module and class level and only at their first assignment; the hooks
; refine them to constant, field, enum_member or type_alias.

(class_definition
  name: (identifier) @name) @definition.class

(function_definition
  name: (identifier) @name) @definition.function

; `x = 1`, `x: int = 1`, `x: int`: the whole statement, so the names read on
; the right-hand side are enclosed by the variable.  `right` lists every
; right-hand side but a nested assignment (a chain, below).
(expression_statement/assignment
  left: (identifier) @name
  right: [(expression) (expression_list) (pattern_list) (yield)]) @definition.variable

(expression_statement/assignment
  left: (identifier) @name
  !right) @definition.variable

; Each target of a chain `a = b = 1` (up to three), and each target of
; `a, b = 1, 2`, `(a, b) = t` or `[a, *rest] = xs`: one definition per name,
; spanning just the name, because the extractor keys definitions by range and
; nests them by containment (a whole-statement `a` would become `b`'s parent).
(expression_statement/assignment
  left: (identifier) @name @definition.variable
  right: (assignment))

(expression_statement/assignment
  right: (assignment
    left: (identifier) @name @definition.variable))

(expression_statement/assignment
  right: (assignment
    right: (assignment
      left: (identifier) @name @definition.variable)))

(expression_statement/assignment
  left: [
    (pattern_list (identifier) @name @definition.variable)
    (pattern_list (list_splat_pattern (identifier) @name @definition.variable))
    (tuple_pattern (identifier) @name @definition.variable)
    (tuple_pattern (list_splat_pattern (identifier) @name @definition.variable))
    (list_pattern (identifier) @name @definition.variable)
    (list_pattern (list_splat_pattern (identifier) @name @definition.variable))
  ])

; One level of nesting: `a, (b, c) = t`, `[x, [y, z]] = m`.
(expression_statement/assignment
  left: [
    (pattern_list (tuple_pattern (identifier) @name @definition.variable))
    (pattern_list (list_pattern (identifier) @name @definition.variable))
    (tuple_pattern (tuple_pattern (identifier) @name @definition.variable))
    (tuple_pattern (list_pattern (identifier) @name @definition.variable))
    (list_pattern (tuple_pattern (identifier) @name @definition.variable))
    (list_pattern (list_pattern (identifier) @name @definition.variable))
  ])

; `type X = int` and `type G[T] = list[T]` (Python 3.12).
(type_alias_statement
  left: (type
    [(identifier) @name (generic_type (identifier) @name)])) @definition.type_alias

; `self.x = ...` (or `cls.x = ...`) in a method defines the attribute x of the
; method's class; the extractor keeps the first assignment per class.
(expression_statement/assignment
  left: (attribute
    object: (identifier) @_self
    attribute: (identifier) @name) @definition.member
  (#any-of? @_self "self" "cls"))

; The same inside a chain: `root = cls.root = Tk()`.
(expression_statement/assignment
  right: (assignment
    left: (attribute
      object: (identifier) @_self
      attribute: (identifier) @name) @definition.member)
  (#any-of? @_self "self" "cls"))
