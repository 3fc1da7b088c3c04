import type { Command } from '../command';
import { alertsCommand } from './alerts';
import { eventsCommand } from './events';
import { replayCommand } from './replay';
import { rulesCommand } from './rules';
import { runCommand } from './run';

/** Every `tcpwarden` subcommand, in the order `tcpwarden help` lists them. */
export const COMMANDS: Command[] = [runCommand, eventsCommand, rulesCommand, replayCommand, alertsCommand];
