def scale(value: int) -> int:
    return value * 2


print(scale(3))
