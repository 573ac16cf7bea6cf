/**
 * The helper every feature's schema file uses to declare methods, keeping the
 * literal `where` so the router and the helper can be typed as total maps.
 */
import type { z } from 'zod';

export interface MethodSpec<W extends 'main' | 'helper', P extends z.ZodType, R extends z.ZodType> {
  where: W;
  params: P;
  result: R;
  summary: string;
}

export function method<W extends 'main' | 'helper', P extends z.ZodType, R extends z.ZodType>(
  spec: MethodSpec<W, P, R>,
): MethodSpec<W, P, R> {
  return spec;
}
