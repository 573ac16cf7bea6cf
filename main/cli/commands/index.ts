/** Every `berth` subcommand. A feature adds its list here (one line). */
import type { Command } from '../command';
import { systemCommands } from './system';

export const commands: Command[] = [...systemCommands];
