"""Shapes and their areas."""


class Shape:
    """A plane figure."""

    def area(self) -> float:
        """The area in square units."""
        return 0.0


class Square(Shape):
    """A shape with four equal sides."""

    def __init__(self, side: float) -> None:
        self.side = side

    def area(self) -> float:
        return self.side * self.side


def total_area(shapes: list[Shape]) -> float:
    """Sum the areas of ``shapes``."""
    return sum(s.area() for s in shapes)
