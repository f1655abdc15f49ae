import { asyncCommand, type CommandDeps } from './async-command';

export type { CommandDeps };

/** Slash command handlers by command. */
export function commandHandlers(deps: CommandDeps): Record<string, unknown> {
  return { '/async': asyncCommand(deps) };
}
