import type { KnownBlock, View } from '@slack/types';
import type { NudgeRef } from '../../domain/nudges';
import { clipSlackText, escapeSlackText } from '../../domain/slack-text';
import { ACTIONS, FIELDS, VIEWS } from '../ids';

/**
 * Block Kit for nudges and their modals. Pure: data in, blocks out; texts stay under Slack's limits.
 * What people typed in a modal is posted escaped (`esc`): it reads as typed, and `<!channel>`,
 * `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>` or a masked link in it notify and link nobody.
 */

const PRIVATE_NOTE: KnownBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: 'Only you can see this. Async Charter never stores what you wrote.' }] };
/** Cut to Slack's limits, never inside an escape or a `<…>` token. */
const clip = (s: string, n = 2900) => clipSlackText(s, n);
const esc = escapeSlackText;
const button = (text: string, action_id: string, ref: NudgeRef, style?: 'primary' | 'danger') => ({ type: 'button' as const, text: { type: 'plain_text' as const, text }, action_id, value: JSON.stringify(ref), ...(style ? { style } : {}) });

/** The private meeting-request nudge, with its five choices and a dismiss. */
export function meetingNudgeBlocks(text: string, ref: NudgeRef): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: clip(text) } },
    {
      type: 'actions',
      block_id: 'nudge_actions',
      elements: [
        button('Start a thread instead', ACTIONS.nudgeThread, ref, 'primary'),
        button('Write a decision memo', ACTIONS.nudgeMemo, ref),
        button('It needs a meeting', ACTIONS.nudgeAgenda, ref),
        button('Not a meeting request', ACTIONS.nudgeNotMeeting, ref),
        button('Snooze nudges for 7 days', ACTIONS.nudgeSnooze, ref),
      ],
    },
    PRIVATE_NOTE,
  ];
}

/** A short private note (off-hours heads-up, early follow-up) with a dismiss button. */
export function noteBlocks(text: string, ref: NudgeRef): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: clip(text) }, accessory: button('Got it', ACTIONS.nudgeDismiss, ref) },
    PRIVATE_NOTE,
  ];
}

const input = (block_id: string, label: string, element: Record<string, unknown>, optional = false, hint?: string) => ({
  type: 'input' as const,
  block_id,
  label: { type: 'plain_text' as const, text: label },
  element: { action_id: block_id, ...element },
  optional,
  ...(hint ? { hint: { type: 'plain_text' as const, text: hint } } : {}),
});

/** A modal that remembers which nudge opened it (private_metadata). */
function modal(callbackId: string, ref: NudgeRef, title: string, submit: string, blocks: unknown[]): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(ref),
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: blocks as View['blocks'],
  };
}

/** Modal: a thread starter the author edits before the app posts it under their message. */
export function threadStarterView(ref: NudgeRef, suggestion: string): View {
  return modal(VIEWS.threadStarter, ref, 'Start a thread', 'Post in thread', [
    input(FIELDS.starter, 'Thread starter', { type: 'plain_text_input', multiline: true, max_length: 2000, initial_value: suggestion }, false, 'Posted as a reply to your message, so the discussion stays in one place.'),
  ]);
}

/** Modal: a decision memo (context, options, recommendation, decide by). */
export function decisionMemoView(ref: NudgeRef): View {
  return modal(VIEWS.decisionMemo, ref, 'Decision memo', 'Post memo', [
    input(FIELDS.context, 'Context', { type: 'plain_text_input', multiline: true, max_length: 2000 }),
    input(FIELDS.options, 'Options', { type: 'plain_text_input', multiline: true, max_length: 2000 }),
    input(FIELDS.recommendation, 'Recommendation', { type: 'plain_text_input', multiline: true, max_length: 1000 }),
    input(FIELDS.decideBy, 'Decide by', { type: 'datepicker' }),
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'The memo is posted in the channel and its recommendation is kept as the team’s decision record.' }] },
  ]);
}

/** Modal: a proper agenda (purpose, desired outcome, pre-reading, when). */
export function meetingAgendaView(ref: NudgeRef): View {
  return modal(VIEWS.meetingAgenda, ref, 'Meeting agenda', 'Post agenda', [
    input(FIELDS.purpose, 'Purpose', { type: 'plain_text_input', max_length: 500 }),
    input(FIELDS.outcome, 'Desired outcome', { type: 'plain_text_input', max_length: 500 }),
    input(FIELDS.preReading, 'Pre-reading link', { type: 'url_text_input' }, true),
    input(FIELDS.when, 'When', { type: 'datetimepicker' }),
    input(FIELDS.postAnyway, 'If it is soon or on focus time', { type: 'checkboxes', options: [{ text: { type: 'plain_text', text: 'Post it anyway' }, value: 'yes' }] }, true),
  ]);
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });

/** The private answer to someone who used a nudge's button that was not shown to them (or no longer exists); nothing else happens. */
export function nudgeRefusalText(actor: 'someone_else' | 'unknown'): string {
  return actor === 'someone_else' ? 'This note was for someone else, so nothing happened.' : 'This note is no longer available, so nothing happened.';
}

/** The thread starter as posted under the author's message (their text escaped). */
export function threadStarterMessage(author: string, starter: string): { text: string } {
  return { text: `<@${author}> started this thread:\n${esc(starter)}` };
}

/** The decision memo as posted in the channel (every field escaped). */
export function memoMessage(author: string, m: { context: string; options: string; recommendation: string; decideBy: string }): { text: string; blocks: KnownBlock[] } {
  return {
    text: `Decision memo from <@${author}>: ${clip(esc(m.recommendation), 200)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Decision memo' } },
      section(`*Context*\n${esc(m.context)}`),
      section(`*Options*\n${esc(m.options)}`),
      section(`*Recommendation*\n${esc(m.recommendation)}`),
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`From <@${author}> · decide by ${esc(m.decideBy)} · reply in the thread`, 2000) }] },
    ],
  };
}

/** The meeting agenda as posted in the channel (every field escaped; the warning is the app's own text). */
export function agendaMessage(author: string, a: { purpose: string; outcome: string; preReading: string | null; when: number; warning: string | null }): { text: string; blocks: KnownBlock[] } {
  const when = `<!date^${Math.floor(a.when / 1000)}^{date_short_pretty} at {time}|${new Date(a.when).toISOString()}>`;
  return {
    text: `Meeting agenda from <@${author}>: ${clip(esc(a.purpose), 200)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Meeting agenda' } },
      section(`*Purpose*\n${esc(a.purpose)}\n\n*Desired outcome*\n${esc(a.outcome)}${a.preReading ? `\n\n*Pre-reading*\n${esc(a.preReading)}` : ''}\n\n*When*\n${when}`),
      ...(a.warning ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: clip(`:warning: ${a.warning}`) }] }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `From <@${author}> · read before the meeting, or say in the thread why you need not attend` }] },
    ],
  };
}
