import type { Command } from '../command';
import { eventsCommand } from './events';

/** Every `tcpwarden` subcommand, in the order `tcpwarden help` lists them. */
export const COMMANDS: Command[] = [eventsCommand];
