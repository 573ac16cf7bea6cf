/**
 * Setup of the component tests (vitest's "dom" project): unmount what a test
 * rendered and forget the fake `window.berth` it installed, so no state leaks
 * into the next test (vitest runs without globals, so Testing Library cannot
 * register its own cleanup).
 */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  delete window.berth;
});
