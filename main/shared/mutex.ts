/**
 * In-process mutual exclusion: a promise-chain mutex, and one per key
 * process-wide. No kernel state, no root: the helper's stores and main's
 * upload sessions both take it (main/shared, so main need not import the
 * engine for it). Locks between processes are storage/file-lock.ts's.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn when every earlier holder is done. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const mutexes = new Map<string, Mutex>();

/** One mutex per path, process-wide. */
export function mutexFor(key: string): Mutex {
  let m = mutexes.get(key);
  if (!m) {
    m = new Mutex();
    mutexes.set(key, m);
  }
  return m;
}

/**
 * One chain per key (a container's or a pod's id): fn runs when every
 * earlier holder of the same key is done, whatever they returned or threw.
 * A key's entry goes when its last holder is done, so ids that come and go
 * leave nothing behind.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a holder running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
