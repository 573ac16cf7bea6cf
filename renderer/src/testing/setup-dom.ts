/**
 * Setup of the component tests (vitest's "dom" project): unmount what a test
 * rendered and forget the fake `window.berth` it installed, so no state leaks
 * into the next test (vitest runs without globals, so Testing Library cannot
 * register its own cleanup).
 *
 * The dom project shares its workers between files (isolate: false), so a
 * file that changes a DOM prototype and does not put it back breaks files
 * that run after it in the same worker, in an order that changes from
 * machine to machine (a layout stub deleted happy-dom's own clientHeight and
 * every virtualized tree after it rendered no rows). Each file's DOM
 * prototypes are compared with what they were when it started: a difference
 * fails that file, naming the property.
 */
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

const PROTOTYPES: Array<[string, object]> = [
  ['Node.prototype', Node.prototype],
  ['Element.prototype', Element.prototype],
  ['HTMLElement.prototype', HTMLElement.prototype],
  ['HTMLInputElement.prototype', HTMLInputElement.prototype],
  ['Document.prototype', Document.prototype],
  ['Window.prototype', Window.prototype],
];

/** user-event patches focus/blur once per realm, marked by its own symbol, and never takes it back: harmless. */
const LIBRARY_PATCHES = /^HTMLElement\.prototype\.(focus|blur|Symbol\(patched focus\/blur methods\))$/;

type Snapshot = Map<string, PropertyDescriptor>;

function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  for (const [name, proto] of PROTOTYPES) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      const k = `${name}.${String(key)}`;
      if (d && !LIBRARY_PATCHES.test(k)) out.set(k, d);
    }
  }
  return out;
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.get === b.get && a.set === b.set && a.value === b.value && a.writable === b.writable;
}

let before: Snapshot;
beforeAll(() => {
  before = snapshot();
});

afterEach(() => {
  cleanup();
  delete window.berth;
});

afterAll(() => {
  const after = snapshot();
  const changed: string[] = [];
  for (const [k, d] of before) {
    const now = after.get(k);
    if (!now) changed.push(`${k} removed`);
    else if (!sameDescriptor(d, now)) changed.push(`${k} replaced`);
  }
  for (const k of after.keys()) if (!before.has(k)) changed.push(`${k} added`);
  expect(changed, 'DOM prototypes this file changed and did not restore').toEqual([]);
});
