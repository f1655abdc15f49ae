import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Background } from '../../../background';
import { parseNudgeRef, type NudgeRef } from '../../../domain/nudges';
import type { NudgeService } from '../../../services/nudges';
import { agendaMessage, memoMessage, threadStarterMessage } from '../../blocks/nudges';
import { FIELDS } from '../../ids';
import { guardsOf, viewIdentity, type GuardDeps } from '../guards';

/**
 * Modals reach the nudge service and the guards (never the store). A submission is answered first
 * (Bolt with processBeforeResponse sends the ack when the handler returns); what it posts goes out
 * detached in `background`, so a slow or failing chat.postMessage neither delays the answer nor
 * turns an accepted modal into a 500 (the failure is logged). Before posting, the work claims the
 * submission (one Slack delivers again is answered alike, the modal closes, and nothing is posted
 * twice) and, for a modal a nudge opened, checks that the submitter is the nudge's author. What
 * people typed is posted escaped (src/slack/blocks/nudges.ts) and kept as typed.
 */
export type ViewDeps = { nudges: NudgeService; background: Background } & GuardDeps;
type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type Values = ViewSubmitAction['view']['state']['values'];

const text = (v: Values, field: string): string => (v[field]?.[field]?.value ?? '').trim();
const teamOf = (a: Args) => a.body.team?.id ?? a.context.teamId ?? '';

/**
 * Runs `post` detached, once per submission, for the nudge's author only (a memo from
 * `/async memo` has no nudge: ref.n is ''). A replay or someone else's submission posts nothing.
 */
function postOnce(deps: ViewDeps, a: Args, ref: NudgeRef, what: string, post: () => Promise<unknown>): void {
  const team = teamOf(a);
  const guards = guardsOf(deps);
  deps.background.run(
    what,
    async () => {
      if ((await guards.claim(team, viewIdentity(a.body), what)) === null) return;
      if (ref.n !== '' && (await guards.nudgeActor(team, ref.n, a.body.user.id)) !== 'author') return;
      await post();
    },
    { team_id: team, nudge: ref.n, channel: ref.c },
  );
}

/** Thread starter: posted under the author's message, as they edited it. */
export const threadStarterSubmit =
  (deps: ViewDeps) =>
  async (a: Args): Promise<void> => {
    const ref = parseNudgeRef(a.view.private_metadata);
    const starter = text(a.view.state.values, FIELDS.starter);
    if (ref === null || starter === '') {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.starter]: 'Write a line or two to start the thread.' } });
      return;
    }
    await a.ack();
    const msg = threadStarterMessage(a.body.user.id, starter);
    postOnce(deps, a, ref, 'thread starter post', () => a.client.chat.postMessage({ channel: ref.c, thread_ts: ref.ts, text: msg.text }));
  };

/** Decision memo: posted in the channel; once it is posted, its recommendation (as typed) is recorded as a decision. */
export const decisionMemoSubmit =
  (deps: ViewDeps) =>
  async (a: Args): Promise<void> => {
    const ref = parseNudgeRef(a.view.private_metadata);
    const v = a.view.state.values;
    const memo = { context: text(v, FIELDS.context), options: text(v, FIELDS.options), recommendation: text(v, FIELDS.recommendation), decideBy: v[FIELDS.decideBy]?.[FIELDS.decideBy]?.selected_date ?? '' };
    if (ref === null) return void (await a.ack());
    if (memo.decideBy === '') {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.decideBy]: 'Pick the date by which the decision is made.' } });
      return;
    }
    await a.ack();
    const team = teamOf(a);
    const user = a.body.user.id;
    const msg = memoMessage(user, memo);
    postOnce(deps, a, ref, 'decision memo post', async () => {
      await a.client.chat.postMessage({ channel: ref.c, text: msg.text, blocks: msg.blocks });
      await deps.nudges.recordDecision(team, ref, user, memo.recommendation);
    });
  };

/** Meeting agenda: warns when it is under 24 h away or on focus time, unless "post anyway" is ticked. */
export const meetingAgendaSubmit =
  (deps: ViewDeps) =>
  async (a: Args): Promise<void> => {
    const ref = parseNudgeRef(a.view.private_metadata);
    const v = a.view.state.values;
    const seconds = v[FIELDS.when]?.[FIELDS.when]?.selected_date_time;
    if (ref === null) return void (await a.ack());
    if (typeof seconds !== 'number') {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.when]: 'Pick a date and time.' } });
      return;
    }
    const when = seconds * 1000;
    const team = teamOf(a);
    // The answer depends on it (errors or not): read before the ack, from the store only.
    const warning = await deps.nudges.agendaWarning(team, a.body.user.id, when);
    const anyway = (v[FIELDS.postAnyway]?.[FIELDS.postAnyway]?.selected_options ?? []).length > 0;
    if (warning !== null && !anyway) {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.when]: `${warning} Pick another time, or tick "Post it anyway".` } });
      return;
    }
    await a.ack();
    const preReading = v[FIELDS.preReading]?.[FIELDS.preReading]?.value ?? null;
    const msg = agendaMessage(a.body.user.id, { purpose: text(v, FIELDS.purpose), outcome: text(v, FIELDS.outcome), preReading: preReading && preReading !== '' ? preReading : null, when, warning });
    postOnce(deps, a, ref, 'meeting agenda post', () => a.client.chat.postMessage({ channel: ref.c, text: msg.text, blocks: msg.blocks }));
  };
