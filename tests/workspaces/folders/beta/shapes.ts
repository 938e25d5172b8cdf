export function addShapes(a: number, b: number): number {
  return a + b;
}
