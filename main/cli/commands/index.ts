/** Every `berth` subcommand. A feature adds its list here (one line). */
import type { Command } from '../command';
import { systemCommands } from './system';
import { imageCommands } from './images';
import { containerCommands } from './containers';
import { registryCommands } from './registry';
import { resourceCommands } from './resources';
import { namespaceCommands } from './namespaces';
import { podCommands } from './pods';
import { kubeCommands } from './kube';

export const commands: Command[] = [
  ...systemCommands,
  ...imageCommands,
  ...registryCommands,
  ...containerCommands,
  ...resourceCommands,
  ...namespaceCommands,
  ...podCommands,
  ...kubeCommands,
];
