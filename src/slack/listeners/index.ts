import type { App } from '@slack/bolt';
import { registerEventListeners, type EventListenerDeps } from './events';

export type ListenerDeps = EventListenerDeps;

/** Wires every surface's listeners to the app; each surface maps its ids to handlers. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerEventListeners(app, deps);
}
