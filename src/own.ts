/**
 * Own-property access for objects keyed by user data: metadata dictionaries, rows keyed by column name,
 * config maps. Metadata keys are user text, and `constructor`, `toString`, `valueOf`, `hasOwnProperty` and
 * `__proto__` are valid metadata keys: `obj[key]` would find `Object.prototype`'s members for a key the
 * object does not have, `key in obj` would say it has them, and `obj[key] = v` with `__proto__` changes the
 * prototype instead of storing a value. Every lookup or store keyed by user text goes through these.
 */

/** Whether `target` has `key` as its own property. */
export function hasOwn(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/** `target[key]` when `key` is an own property, else `undefined` (never an inherited member). */
export function getOwn<T>(target: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  if (target === null || target === undefined) return undefined;
  return Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
}

/**
 * `target[key] = value`, also for the key `__proto__`, which plain assignment would turn into a
 * prototype change and silently drop.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
