export const COEFFICIENTS = {};
