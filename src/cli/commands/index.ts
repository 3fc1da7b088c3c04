import type { Command } from '../command';

/** Every `tcpwarden` subcommand, in the order `tcpwarden help` lists them. */
export const COMMANDS: Command[] = [];
