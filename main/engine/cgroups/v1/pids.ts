/** v1 pids controller: pids.max ("max" = unlimited), pids.current; the same semantics as v2 (controller-kit). */
import { pidsController } from '../controller-kit';

export const FILES = { max: 'pids.max', current: 'pids.current' } as const;

export const controller = pidsController(FILES);
