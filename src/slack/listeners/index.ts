import type { App } from '@slack/bolt';
import { registerActionListeners, type ActionDeps } from './actions';
import { registerCommandListeners, type CommandDeps } from './commands';
import { registerEventListeners, type EventListenerDeps } from './events';
import { registerViewListeners, type ViewDeps } from './views';

export type ListenerDeps = EventListenerDeps & ActionDeps & ViewDeps & CommandDeps;

/** Wires every surface's listeners to the app; each surface maps its ids to handlers. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerEventListeners(app, deps);
  registerActionListeners(app, deps);
  registerCommandListeners(app, deps);
  registerViewListeners(app, deps);
}
