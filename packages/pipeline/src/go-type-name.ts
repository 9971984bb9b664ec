/** The Go type name upstream messages print (`%T`) for a decoded YAML value. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
  if (Array.isArray(value)) return "[]interface {}";
  return "*ordered.Map[string,interface {}]";
}

/** Go `fmt.Sprint` of a decoded YAML scalar (how go-pipeline turns `47` into `"47"`). */
export function goSprint(value: string | number | boolean): string {
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value) || !Number.isFinite(value)) return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
  // Go's %v of a float64 switches to an exponent below 1e-4 and from 1e21 like JS, but
  // writes at least two exponent digits.
  return String(value).replace(/e([+-])(\d)$/, "e$10$2");
}
