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

export function lazy<T extends object>(build: () => T): T {
  let real: T | undefined;
  const get = (): T => {
    if (real === undefined) {
      real = build();
      built++;
    }
    return real;
  };
  return new Proxy({} as T, {
    get: (_t, p) => Reflect.get(get(), p),
    set: (_t, p, v) => Reflect.set(get(), p, v),
    has: (_t, p) => Reflect.has(get(), p),
    ownKeys: () => Reflect.ownKeys(get()),
    // The target is an empty object, so a descriptor the built schema holds as
    // non-configurable (zod's `_zod`) may only be reported as configurable.
    getOwnPropertyDescriptor: (_t, p) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), p);
      return d === undefined ? undefined : { ...d, configurable: true };
    },
    defineProperty: (_t, p, d) => Reflect.defineProperty(get(), p, { ...d, configurable: true }),
    deleteProperty: (_t, p) => Reflect.deleteProperty(get(), p),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
  });
}
