/** Every `berth` subcommand. A feature adds its list here (one line). */
import type { Command } from '../command';
import { systemCommands } from './system';
import { imageCommands } from './images';
import { containerCommands } from './containers';
import { registryCommands } from './registry';
import { resourceCommands } from './resources';
import { namespaceCommands } from './namespaces';
import { volumeCommands } from './volumes';
import { diskCommands } from './disk';
import { copyCommands } from './copy';
import { networkCommands } from './networks';
import { commitCommands } from './commit';
import { containerProcessCommands } from './container-process';
import { eventCommands } from './events';
import { buildCommands } from './build';
import { podCommands } from './pods';
import { kubeCommands } from './kube';
import { composeCommands } from './compose';

export const commands: Command[] = [
  ...systemCommands,
  ...imageCommands,
  ...registryCommands,
  ...containerCommands,
  ...resourceCommands,
  ...namespaceCommands,
  ...volumeCommands,
  ...diskCommands,
  ...copyCommands,
  ...networkCommands,
  ...commitCommands,
  ...containerProcessCommands,
  ...eventCommands,
  ...buildCommands,
  ...podCommands,
  ...kubeCommands,
  ...composeCommands,
];
