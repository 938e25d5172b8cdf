import { clamp } from "./util";

export function scale(input: number): number {
  const limited = clamp(input, 0, 10);
  return limited * 2;
}
