from app.shapes import Square, total_area


def build_report(count: int) -> str:
    squares = [make_square(i) for i in range(count)]
    return format_total(total_area(squares))


def make_square(side: int) -> Square:
    return Square(side=side)


def format_total(value: float) -> str:
    label = "😀 Σ total"; return label + ": " + str(value) + greeting()


def greeting() -> str:
    return "grüße"
