import type { Command } from '../command';
import { alertsCommand } from './alerts';

/** Every `tcpwarden` subcommand, in the order `tcpwarden help` lists them. */
export const COMMANDS: Command[] = [alertsCommand];
