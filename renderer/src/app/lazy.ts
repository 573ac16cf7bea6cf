/**
 * Code splitting by page and by heavy tab: a component loaded on first render
 * from its own chunk, so the System page never downloads recharts, xyflow or
 * xterm. `lazyNamed` adapts a named export to React.lazy's default-export shape.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

// React.lazy's own constraint; props stay typed through M[K].
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = ComponentType<any>;

export function lazyNamed<K extends string, M extends Record<K, AnyComponent>>(
  load: () => Promise<M>,
  name: K,
): LazyExoticComponent<M[K]> {
  return lazy(async () => ({ default: (await load())[name] }));
}
