/** v2 pids controller: pids.max ("max" = unlimited), pids.current (and pids.peak on 6.x, not read). */
import { pidsController } from '../controller-kit';

export const FILES = { max: 'pids.max', current: 'pids.current', peak: 'pids.peak' } as const;

export const controller = pidsController(FILES);
