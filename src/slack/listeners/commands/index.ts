import type { App } from '@slack/bolt';
import { asyncCommand, type CommandDeps } from './async-command';

export type { CommandDeps };

export function registerCommandListeners(app: App, deps: CommandDeps): void {
  app.command('/async', asyncCommand(deps) as never);
}
