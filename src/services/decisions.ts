import type { Logger } from '../logger';
import type { Store } from '../store/connect';
import { recordDecision } from '../store/nudges';
import { InteractionService } from './interactions';

/**
 * Decisions logged through the app (`/async decision`, a decision memo). The one text kept on
 * purpose: the person submits it to be recorded; it counts in decisions_logged.
 */
export class DecisionService {
  /**
   * The interactivity guards (handled once; a nudge's author only), built from the same deps.
   * Listeners reach them here until src/main.ts passes an InteractionService of its own as
   * `interactions` (see src/slack/listeners/guards.ts); then this goes.
   */
  readonly interactions: InteractionService;

  constructor(private readonly deps: { store: Store; logger: Logger; now: () => number }) {
    this.interactions = new InteractionService(deps);
  }

  async log(teamId: string, userId: string, channel: string | null, text: string): Promise<void> {
    await recordDecision(this.deps.store.db, teamId, channel, userId, text, new Date(this.deps.now()));
    this.deps.logger.info({ team_id: teamId, channel }, 'decision logged');
  }
}
