/**
 * Fault injection (protocol §9): rules that pick requests by route, method, call number, probability or time
 * window, each with one action. Rules come from `--faults FILE` (validated with zod; errors name the path)
 * or from tests through `emulator.faults.set([...])`.
 *
 * Counting: every rule counts the requests it matches (route, method, window, size); `nth`, `every` and
 * `after` refer to that count, starting at 1. When several rules would fire, the first one in the list
 * wins, but all matching rules still count.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MetaError } from '../errors.js';
import type { Rng } from './rng.js';
import { isRoutePattern, routeMatches, type RouteName } from './routes.js';

const int = (min: number) => z.number().int().min(min);
const routePattern = z.string().refine(isRoutePattern, {
  message: 'unknown route: use "*", "v1:*", "v2:*" or a route name such as "v2:patch-bulk"',
});

const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    /** Answer this status with a JSON body (`{"message"}` on v2, an error envelope on v1). */
    type: z.literal('status'),
    status: int(400).max(599),
    message: z.string().optional(),
    /** Add `Retry-After: <seconds>`. */
    retryAfter: int(0).optional(),
  }),
  /** An HTML error page (a proxy's), not JSON. */
  z.strictObject({ type: z.literal('html'), status: int(400).max(599).optional() }),
  /** Destroy the socket without answering; `commit: true` applies the request first. */
  z.strictObject({ type: z.literal('reset'), commit: z.boolean().optional() }),
  /** 413 with `{"detail"}`; with `overBytes`, only for bodies larger than that. */
  z.strictObject({ type: z.literal('tooLarge413'), overBytes: int(0).optional() }),
  /** Wait, then handle the request normally (the write still happens if the client gave up). */
  z.strictObject({ type: z.literal('delay'), ms: int(0).max(3_600_000) }),
  /** Apply the write, then answer a 5xx (JSON, or HTML with `html: true`). */
  z.strictObject({
    type: z.literal('commitThenFail'),
    status: int(500).max(599).optional(),
    html: z.boolean().optional(),
  }),
  /** patch-bulk only: omit one uuid from `results`; `applyOmitted` says whether its patch was applied. */
  z.strictObject({
    type: z.literal('partialResults'),
    omit: z.enum(['first', 'last', 'random']).optional(),
    applyOmitted: z.boolean().optional(),
  }),
  /** 429 with `Retry-After: retryAfter` (default 1; `null` omits the header). */
  z.strictObject({
    type: z.literal('rateLimit'),
    retryAfter: int(0).nullable().optional(),
    /** Send `Retry-After` as an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`) instead of seconds. */
    retryAfterForm: z.enum(['seconds', 'http-date']).optional(),
  }),
]);

export const faultRuleSchema = z.strictObject({
  /** A name for stats and the request log. */
  id: z.string().optional(),
  /** Route pattern(s). @default '*' */
  route: z.union([routePattern, z.array(routePattern).min(1)]).optional(),
  /** HTTP method (GET, POST, PATCH); v1 is always POST, so use the route name for its logical method. */
  method: z.string().toUpperCase().optional(),
  /** Fire only on these matching calls (1-based, after `after`). */
  nth: z.union([int(1), z.array(int(1)).min(1)]).optional(),
  /** Fire on every k-th matching call. */
  every: int(1).optional(),
  /** Ignore the first N matching calls. */
  after: int(0).optional(),
  /** Fire at most this many times. */
  times: int(1).optional(),
  /** Fire with this probability (seeded generator). */
  probability: z.number().min(0).max(1).optional(),
  /** Only during the first `durationMs` of every `periodMs` (a "429 storm"), counted from when the rules were set. */
  window: z
    .strictObject({ periodMs: int(1), durationMs: int(0), offsetMs: int(0).optional() })
    .optional(),
  action: actionSchema,
});

const rulesSchema = z.array(faultRuleSchema);
const wrappedSchema = z.strictObject({ faults: rulesSchema });
/** A fault file: an array of rules, or `{"faults": [...]}`. */
export const faultFileSchema = z.union([rulesSchema, wrappedSchema]);

/** A fault rule as written by users (JSON file or tests). */
export type FaultRule = z.input<typeof faultRuleSchema>;
export type FaultAction = z.output<typeof actionSchema>;
type ParsedRule = z.output<typeof faultRuleSchema>;

/** A fault chosen for one request. */
export interface FiredFault {
  readonly ruleIndex: number;
  readonly ruleId: string;
  readonly action: FaultAction;
}

export interface FaultRuleStats {
  readonly id: string;
  readonly matched: number;
  readonly fired: number;
}

function formatIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.slice(0, 8).map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
  const more = error.issues.length > 8 ? `; and ${error.issues.length - 8} more` : '';
  return `Invalid fault rules in ${where}: ${lines.join('; ')}${more}`;
}

/** Validate rules (from code or a parsed file); throws `MetaError('CONFIG_INVALID')` naming the path. */
export function parseFaultRules(value: unknown, where = 'fault rules'): ParsedRule[] {
  // Parse each accepted shape with its own schema: a union would report only "Invalid input" at the root.
  const isWrapped = typeof value === 'object' && value !== null && !Array.isArray(value);
  const result = isWrapped ? wrappedSchema.safeParse(value) : rulesSchema.safeParse(value);
  if (!result.success) throw new MetaError('CONFIG_INVALID', formatIssues(result.error, where));
  return Array.isArray(result.data) ? result.data : result.data.faults;
}

/** Read and validate a `--faults FILE` (a JSON array of rules, or `{"faults": [...]}`). */
export async function loadFaultsFile(path: string): Promise<FaultRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MetaError('CONFIG_INVALID', `Cannot read fault rules file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MetaError('CONFIG_INVALID', `Fault rules file ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseFaultRules(json, path);
}

interface LiveRule {
  readonly rule: ParsedRule;
  readonly id: string;
  readonly nth: ReadonlySet<number> | null;
  matched: number;
  fired: number;
}

export class FaultController {
  #rules: LiveRule[] = [];
  #epoch: number;
  readonly #rng: Rng;
  readonly #clock: () => number;

  constructor(rng: Rng, clock: () => number) {
    this.#rng = rng;
    this.#clock = clock;
    this.#epoch = clock();
  }

  /** Replace every rule (validated; throws on invalid rules and keeps the old ones). */
  set(rules: readonly FaultRule[]): void {
    const parsed = parseFaultRules(rules);
    this.#rules = parsed.map((rule, i) => ({
      rule,
      id: rule.id ?? `rule-${i}`,
      nth: rule.nth === undefined ? null : new Set(Array.isArray(rule.nth) ? rule.nth : [rule.nth]),
      matched: 0,
      fired: 0,
    }));
    this.#epoch = this.#clock();
  }

  /** Append one rule, keeping the others and their counters. */
  add(rule: FaultRule): void {
    const [parsed] = parseFaultRules([rule]);
    const i = this.#rules.length;
    this.#rules.push({
      rule: parsed!,
      id: parsed!.id ?? `rule-${i}`,
      nth: parsed!.nth === undefined ? null : new Set(Array.isArray(parsed!.nth) ? parsed!.nth : [parsed!.nth]),
      matched: 0,
      fired: 0,
    });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The current rules, as validated. */
  list(): FaultRule[] {
    return this.#rules.map((r) => structuredClone(r.rule));
  }

  stats(): FaultRuleStats[] {
    return this.#rules.map((r) => ({ id: r.id, matched: r.matched, fired: r.fired }));
  }

  /** Choose the fault for one request, or null. */
  pick(route: RouteName, method: string, bodyBytes: number): FiredFault | null {
    let chosen: FiredFault | null = null;
    for (const [index, live] of this.#rules.entries()) {
      const { rule } = live;
      const routes = rule.route === undefined ? ['*'] : Array.isArray(rule.route) ? rule.route : [rule.route];
      if (!routes.some((p) => routeMatches(p, route))) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.window !== undefined) {
        const t = this.#clock() - this.#epoch - (rule.window.offsetMs ?? 0);
        if (t < 0 || t % rule.window.periodMs >= rule.window.durationMs) continue;
      }
      const { action } = rule;
      if (action.type === 'tooLarge413' && action.overBytes !== undefined && bodyBytes <= action.overBytes) continue;
      live.matched += 1;
      if (chosen !== null) continue;
      const n = live.matched - (rule.after ?? 0);
      if (n < 1) continue;
      if (live.nth !== null && !live.nth.has(n)) continue;
      if (rule.every !== undefined && n % rule.every !== 0) continue;
      if (rule.times !== undefined && live.fired >= rule.times) continue;
      if (rule.probability !== undefined && this.#rng.next() >= rule.probability) continue;
      live.fired += 1;
      chosen = { ruleIndex: index, ruleId: live.id, action };
    }
    return chosen;
  }
}
