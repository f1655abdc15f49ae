import type { App } from '@slack/bolt';
import { actionHandlers, type ActionDeps } from './actions';
import { commandHandlers, type CommandDeps } from './commands';
import { eventHandlers, type EventListenerDeps } from './events';
import { modalActionHandlers, timezoneOptions, viewHandlers, type ViewDeps } from './views';

export type ListenerDeps = EventListenerDeps & ActionDeps & ViewDeps & CommandDeps;

type Handler = (args: Record<string, unknown>) => Promise<void>;

/** One handler that hands each request to the handler of its id (an own key of the table only). */
export function byId(handlers: Record<string, unknown>, idOf: (args: Record<string, unknown>) => unknown): Handler {
  const table = new Map(Object.entries(handlers) as Array<[string, Handler]>);
  return async (args) => {
    const id = idOf(args);
    const handler = typeof id === 'string' ? table.get(id) : undefined;
    if (handler !== undefined) await handler(args);
  };
}

/** Two tables merged; an id in both is a wiring mistake, refused at start rather than one silently winning. */
export function disjoint(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const twice = Object.keys(b).filter((id) => Object.hasOwn(a, id));
  if (twice.length > 0) throw new Error(`handlers registered twice: ${twice.join(', ')}`);
  return { ...a, ...b };
}

const field = (key: string, name: string) => (args: Record<string, unknown>): unknown => (args[key] as Record<string, unknown> | undefined)?.[name];

/**
 * Wires every surface's handlers to the app: one Bolt listener per surface, routing by id, and
 * events before any listener. Bolt runs every listener's middleware chain for every request, so
 * one listener per id (30 of them) made each event pay thirty times for matching before it was stored.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  // Events, the hot path, are handled in global middleware (after Bolt's own ignoreSelf) and go no
  // further: Bolt would otherwise walk every listener's chain for each one. Other bodies, and
  // event types without a handler, go on to the listeners below.
  const events = new Map(Object.entries(eventHandlers(deps)) as Array<[string, Handler]>);
  app.use((async (args: Record<string, unknown> & { next: () => Promise<void> }) => {
    const type = (args.event as { type?: unknown } | undefined)?.type;
    const handler = typeof type === 'string' ? events.get(type) : undefined;
    if (handler === undefined) return args.next();
    return handler(args);
  }) as never);
  // Buttons and submissions are matched by type only: with a pattern Bolt would call .match on an
  // action_id or callback_id that a malformed payload may lack (the HTTP edge refuses those, Socket
  // Mode has no edge). An id without a handler is acknowledged empty (app.ts).
  const actions = disjoint(actionHandlers(deps), modalActionHandlers(deps));
  app.action({ type: 'block_actions' }, byId(actions, field('action', 'action_id')) as never);
  const views = viewHandlers(deps);
  app.view({ type: 'view_submission' }, byId(views, field('view', 'callback_id')) as never);
  const commands = commandHandlers(deps);
  for (const [name, handler] of Object.entries(commands)) app.command(name, handler as never);
  app.options({ block_id: 'timezone', action_id: 'v' }, timezoneOptions() as never);
}
