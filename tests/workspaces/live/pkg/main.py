from pkg.geometry import area, perimeter

# Größe: 😀 x 𝔘
print(area(2.0, 3.0), perimeter(2.0, 3.0))
