/**
 * Setup of the unit project. Its files share their workers (isolate: false,
 * vitest.config.ts), so one that leaves process state changed changes the
 * files after it, in an order that differs from machine to machine (the dom
 * project's setup guards its prototypes the same way). Each file's
 * environment variables and global names are compared with what they were
 * when it started: a difference fails that file, naming it.
 */
import { afterAll, beforeAll, expect } from 'vitest';

let env: Record<string, string | undefined> = {};
let globals = new Set<string>();

beforeAll(() => {
  env = { ...process.env };
  globals = new Set(Object.keys(globalThis));
});

afterAll(() => {
  const changed: string[] = [];
  for (const k of new Set([...Object.keys(env), ...Object.keys(process.env)])) {
    if (env[k] !== process.env[k]) changed.push(`process.env.${k}`);
  }
  for (const k of Object.keys(globalThis)) if (!globals.has(k)) changed.push(`globalThis.${k}`);
  expect(changed, 'process state this file changed and did not restore').toEqual([]);
});
