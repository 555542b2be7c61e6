/**
 * One abort listener per shared signal, fanned out to every call running on it. A long per-row run makes
 * hundreds of calls on one signal; each call used to add its own listeners (slot wait, rate wait, undici,
 * backoff sleep), and past 10 Node prints `MaxListenersExceededWarning`. Each call now listens on a child
 * signal of its own, and the shared signal carries a single listener however many calls are in flight.
 */
const children = new WeakMap<AbortSignal, Set<AbortController>>();

export interface ChildSignal {
  /** Aborted (with the same reason) when the parent aborts; `undefined` when there is no parent. */
  readonly signal: AbortSignal | undefined;
  /** Forget the child once its call is over. */
  release(): void;
}

const NONE: ChildSignal = { signal: undefined, release: () => undefined };

export function childSignal(parent: AbortSignal | undefined): ChildSignal {
  if (parent === undefined) return NONE;
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  let set = children.get(parent);
  if (set === undefined) {
    const created = new Set<AbortController>();
    set = created;
    children.set(parent, created);
    parent.addEventListener(
      'abort',
      () => {
        for (const c of [...created]) c.abort(parent.reason);
        created.clear();
      },
      { once: true },
    );
  }
  const own = set;
  own.add(controller);
  return { signal: controller.signal, release: () => void own.delete(controller) };
}
