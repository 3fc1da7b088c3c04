import type { Command } from '../command';
import { alertsCommand } from './alerts';
import { eventsCommand } from './events';
import { replayCommand } from './replay';
import { rulesCommand } from './rules';

/** Every `tcpwarden` subcommand, in the order `tcpwarden help` lists them. */
export const COMMANDS: Command[] = [eventsCommand, rulesCommand, replayCommand, alertsCommand];
