import { UserError } from '../errors/user-error';
import { COMMANDS } from './commands';

function usage(): string {
  const lines = ['usage: tcpwarden <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', "Run 'tcpwarden <command> --help' for a command's options.");
  return lines.join('\n');
}

/** Runs one CLI invocation; user mistakes become one line on stderr and a non-zero exit, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    process.exitCode = name ? 0 : 2;
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`tcpwarden: unknown command '${name}'\n${usage()}\n`);
    process.exitCode = 2;
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return;
  }
  try {
    process.exitCode = await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      // A list of diagnostics (file:line:col each) stands alone; a single message names the command.
      process.stderr.write(err.message.includes('\n') ? `${err.message}\n` : `tcpwarden ${name}: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
