import { addShapes } from "./shapes";

export const total = addShapes(1, 2);
