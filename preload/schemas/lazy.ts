/**
 * A schema built on its first use instead of at import.
 *
 * Building every zod object of the contract at import cost a short process
 * (`berth build`, `berth ps`) ≈ 100 ms of its start-up and most of its
 * garbage: thousands of schema instances, of which one command uses a few.
 * Each top-level schema of `preload/schemas/*.ts` and each method's params and
 * result is therefore declared as `lazy(() => z.…)`: the declaration stays
 * where it was, with the same inferred type, and the zod object is made the
 * first time anything reads a property of it (`.parse`, `.shape`, `._zod` when
 * another schema that contains it is built or run). `lazy.test.ts` checks that
 * importing the contract builds none but those the preferences' defaults are
 * parsed with, and that each stand-in reads like the schema it stands for.
 *
 * The stand-in is a Proxy over the built schema: property reads, `in`, keys,
 * the prototype (so `instanceof z.ZodObject` holds) and writes all go to it.
 * Methods run with the stand-in as `this`, which reaches the same schema.
 */
let built = 0;

/** How many lazy schemas have been built in this process (for the import test). */
export function lazySchemasBuilt(): number {
  return built;
}

/** The Proxy's target: the builder and, once built, the schema. */
interface Slot {
  build: (() => object) | null;
  real: object | null;
}

function realOf(slot: Slot): object {
  if (slot.real === null) {
    slot.real = (slot.build as () => object)();
    slot.build = null;
    built++;
  }
  return slot.real;
}

// One handler for every stand-in (≈ 330 of them at import): a stand-in costs its slot and its Proxy.
const handler: ProxyHandler<Slot> = {
  get: (t, p) => Reflect.get(realOf(t), p),
  set: (t, p, v) => Reflect.set(realOf(t), p, v),
  has: (t, p) => Reflect.has(realOf(t), p),
  ownKeys: (t) => Reflect.ownKeys(realOf(t)),
  // The target is the slot, whose own properties are configurable, so a descriptor the built
  // schema holds as non-configurable (zod's `_zod`) may only be reported as configurable.
  getOwnPropertyDescriptor: (t, p) => {
    const d = Reflect.getOwnPropertyDescriptor(realOf(t), p);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
  defineProperty: (t, p, d) => Reflect.defineProperty(realOf(t), p, { ...d, configurable: true }),
  deleteProperty: (t, p) => Reflect.deleteProperty(realOf(t), p),
  getPrototypeOf: (t) => Reflect.getPrototypeOf(realOf(t)),
};

export function lazy<T extends object>(build: () => T): T {
  return new Proxy<Slot>({ build, real: null }, handler) as unknown as T;
}
