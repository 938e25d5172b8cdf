def add_numbers(a: int, b: int) -> int:
    return a + b
