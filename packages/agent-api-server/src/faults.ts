/**
 * What an injected fault does to a matching request.
 * - `status`: answer `status` with `{"message": message}` (and `Retry-After` when given) without running the route.
 * - `delay`: wait `ms`, then handle the request normally (or apply `then`).
 * - `drop`: destroy the socket without answering (the client sees a reset).
 * - `malformed`: answer `status` (default 200) with a JSON content type and a truncated JSON body.
 * - `html`: answer `status` (default 502) with an HTML error page, as a load balancer does.
 */
export type FaultAction =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly message?: string;
      /** Seconds (number) or the raw header text. */
      readonly retryAfter?: number | string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "delay"; readonly ms: number; readonly then?: Exclude<FaultAction, { kind: "delay" }> }
  | { readonly kind: "drop" }
  | { readonly kind: "malformed"; readonly status?: number }
  | { readonly kind: "html"; readonly status?: number };

/** Which requests a fault applies to, and how often. */
export interface FaultRule {
  /** Route name(s) from the routing table (`"ping"`, `"chunks.upload"`); omitted = every route. */
  readonly route?: string | readonly string[];
  /** HTTP method; omitted = any. */
  readonly method?: string;
  /**
   * How many matching requests to affect, then the rule retires.
   * @default Infinity
   */
  readonly times?: number;
  readonly fault: FaultAction;
}

/** A live fault rule. */
export interface FaultHandle {
  /** Matching requests affected so far. */
  readonly hits: number;
  /** Stops the rule; idempotent. */
  remove(): void;
}

interface LiveRule {
  readonly rule: FaultRule;
  hits: number;
  removed: boolean;
}

/** Active fault rules, consulted in the order they were added (first match wins). */
export class FaultTable {
  #rules: LiveRule[] = [];

  add(rule: FaultRule): FaultHandle {
    const times = rule.times ?? Number.POSITIVE_INFINITY;
    if (!(times >= 1)) throw new RangeError("times must be at least 1");
    const live: LiveRule = { rule, hits: 0, removed: false };
    this.#rules.push(live);
    return {
      get hits() {
        return live.hits;
      },
      remove: () => {
        live.removed = true;
        this.#rules = this.#rules.filter((r) => r !== live);
      },
    };
  }

  clear(): void {
    for (const live of this.#rules) live.removed = true;
    this.#rules = [];
  }

  /** The fault for this request, counting it against its rule; `undefined` = none. */
  take(route: string, method: string): FaultAction | undefined {
    for (const live of this.#rules) {
      const { rule } = live;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.route !== undefined) {
        const routes = typeof rule.route === "string" ? [rule.route] : rule.route;
        if (!routes.includes(route)) continue;
      }
      live.hits += 1;
      if (live.hits >= (rule.times ?? Number.POSITIVE_INFINITY)) {
        live.removed = true;
        this.#rules = this.#rules.filter((r) => r !== live);
      }
      return rule.fault;
    }
    return undefined;
  }
}
