import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { agendaWarning } from '../../../domain/nudges';
import type { Logger } from '../../../logger';
import { loadCharter } from '../../../store/charters';
import type { Store } from '../../../store/connect';
import { recordDecision } from '../../../store/nudges';
import { agendaMessage, memoMessage } from '../../blocks/nudges';
import { FIELDS } from '../../ids';
import { parseRef } from '../actions/nudge-buttons';

export type ViewDeps = { store: Store; logger: Logger; now?: () => number };
type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type Values = ViewSubmitAction['view']['state']['values'];

const text = (v: Values, field: string): string => (v[field]?.[field]?.value ?? '').trim();
const teamOf = (a: Args) => a.body.team?.id ?? a.context.teamId ?? '';

/** Thread starter: posted under the author's message, as they edited it. */
export const threadStarterSubmit =
  (_deps: ViewDeps) =>
  async (a: Args): Promise<void> => {
    const ref = parseRef(a.view.private_metadata);
    const starter = text(a.view.state.values, FIELDS.starter);
    if (ref === null || starter === '') {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.starter]: 'Write a line or two to start the thread.' } });
      return;
    }
    await a.ack();
    await a.client.chat.postMessage({ channel: ref.c, thread_ts: ref.ts, text: `<@${a.body.user.id}> started this thread:\n${starter}` });
  };

/** Decision memo: posted in the channel; its recommendation is recorded as a decision. */
export const decisionMemoSubmit =
  (deps: ViewDeps) =>
  async (a: Args): Promise<void> => {
    const ref = parseRef(a.view.private_metadata);
    const v = a.view.state.values;
    const memo = { context: text(v, FIELDS.context), options: text(v, FIELDS.options), recommendation: text(v, FIELDS.recommendation), decideBy: v[FIELDS.decideBy]?.[FIELDS.decideBy]?.selected_date ?? '' };
    if (ref === null) return void (await a.ack());
    if (memo.decideBy === '') {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.decideBy]: 'Pick the date by which the decision is made.' } });
      return;
    }
    await a.ack();
    const msg = memoMessage(a.body.user.id, memo);
    await a.client.chat.postMessage({ channel: ref.c, text: msg.text, blocks: msg.blocks });
    await recordDecision(deps.store.db, teamOf(a), ref.c, a.body.user.id, memo.recommendation);
  };

/** Meeting agenda: warns when it is under 24 h away or on focus time, unless "post anyway" is ticked. */
export const meetingAgendaSubmit =
  (deps: ViewDeps) =>
  async (a: Args): Promise<void> => {
    const ref = parseRef(a.view.private_metadata);
    const v = a.view.state.values;
    const seconds = v[FIELDS.when]?.[FIELDS.when]?.selected_date_time;
    if (ref === null) return void (await a.ack());
    if (typeof seconds !== 'number') {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.when]: 'Pick a date and time.' } });
      return;
    }
    const when = seconds * 1000;
    const team = teamOf(a);
    const { charter } = await loadCharter(deps.store.db, team);
    const person = await deps.store.db.selectFrom('users').select('tz').where('team_id', '=', team).where('user_id', '=', a.body.user.id).executeTakeFirst();
    const warning = agendaWarning(charter, person?.tz ?? charter.timezone, when, (deps.now ?? Date.now)());
    const anyway = (v[FIELDS.postAnyway]?.[FIELDS.postAnyway]?.selected_options ?? []).length > 0;
    if (warning !== null && !anyway) {
      await a.ack({ response_action: 'errors', errors: { [FIELDS.when]: `${warning} Pick another time, or tick "Post it anyway".` } });
      return;
    }
    await a.ack();
    const preReading = v[FIELDS.preReading]?.[FIELDS.preReading]?.value ?? null;
    const msg = agendaMessage(a.body.user.id, { purpose: text(v, FIELDS.purpose), outcome: text(v, FIELDS.outcome), preReading: preReading && preReading !== '' ? preReading : null, when, warning });
    await a.client.chat.postMessage({ channel: ref.c, text: msg.text, blocks: msg.blocks });
  };
