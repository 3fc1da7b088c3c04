/** One `tcpwarden <name>` subcommand. Commands with subcommands of their own (e.g. `rules validate`) parse them in `run`. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. Throws UserError for the user's mistakes. */
  run(argv: string[]): Promise<number>;
}
