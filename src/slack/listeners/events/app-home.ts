import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { Background } from '../../../background';
import type { PersonalService } from '../../../services/me';
import { publishHome } from '../actions/personal-buttons';

export type AppHomeDeps = { people: PersonalService; background: Background; serves: (teamId: string) => boolean | Promise<boolean> };
type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/**
 * app_home_opened (Home tab): answered at once; the viewer's page is built and published with
 * views.publish in `background`. Another workspace's event, or the Messages tab, is ignored.
 */
export const appHomeOpened =
  (deps: AppHomeDeps) =>
  async ({ event, body, client, context }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    const team = (body as { team_id?: string }).team_id ?? context.teamId ?? '';
    if (!(await deps.serves(team))) return;
    const user = event.user;
    deps.background.run('app home', () => publishHome(deps.people, client, team, user), { team_id: team });
  };
