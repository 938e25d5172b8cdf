"""Plane geometry — áreas and périmètres."""


def area(width: float, height: float) -> float:
    """The área of a rectangle."""
    return width * height


def perimeter(width: float, height: float) -> float:
    return 2 * (width + height)
