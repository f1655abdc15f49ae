import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import type { CharterSection } from '../../domain/charter-text';
import { decodeSlackEscapes, SUBCOMMANDS } from '../../domain/commands';
import type { PersonalWeek, Waiting } from '../../domain/personal';
import type { WeeklyReport } from '../../domain/report';
import { clipSlackText, escapeSlackText, escapeSlackTextKeepingPeople } from '../../domain/slack-text';
import { formatMinutes, formatPercent, plural, share } from '../../domain/units';
import type { ChannelStats, MyOverview } from '../../services/me';
import { ACTIONS } from '../ids';

/** Block Kit for `/async` answers. Pure: data in, an ephemeral message out, inside Slack's limits. */

export type Reply = { text: string; blocks: KnownBlock[] };

/** Cut to Slack's limits, never inside an escape or a `<…>` token. */
const clip = (s: string, n = 2900) => clipSlackText(s, n);
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 2000) }] });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150) } });
const ONLY_YOU = context('Only you can see this.');

/** A one-line answer (errors, confirmations). */
export function note(text: string): Reply {
  return { text, blocks: [section(text)] };
}

/** Every subcommand with an example; `unknown` names what was not understood. */
export function helpReply(unknown?: string): Reply {
  const lines = SUBCOMMANDS.map((s) => `• \`${s.usage}\` ${s.what}${s.admin ? ' _(admins)_' : ''}\n     e.g. \`${s.example}\``);
  // `unknown` is the word as Slack sent it (escapes and all): shown as typed, never as a mention.
  const intro = unknown !== undefined && unknown !== '' ? `I don't know \`${escapeSlackText(decodeSlackEscapes(unknown))}\`. Here is what \`/async\` can do:` : 'Here is what `/async` can do:';
  const half = Math.ceil(lines.length / 2);
  return {
    text: intro,
    blocks: [section(intro), section(lines.slice(0, half).join('\n')), section(lines.slice(half).join('\n')), context('Async Charter never stores what you write in Slack; it keeps ids and times only.')],
  };
}

/** A known subcommand with bad arguments: what was wrong and an example. */
export function invalidReply(problem: string, example: string): Reply {
  return note(`${problem}\nFor example: \`${example}\``);
}

/** The charter in force, in sections. */
export function charterReply(c: { sections: CharterSection[]; stored: boolean; problems: string[] }): Reply {
  const blocks: KnownBlock[] = [header('Your team’s async charter')];
  if (!c.stored) blocks.push(context('Nobody has set a charter yet: these are the defaults.'));
  if (c.problems.length > 0) blocks.push(context(`The stored charter no longer validates, so the defaults apply: ${c.problems.slice(0, 3).join('; ')}`));
  for (const s of c.sections.slice(0, 40)) blocks.push(section(`*${s.title}*\n${s.lines.join('\n')}`));
  blocks.push(ONLY_YOU);
  return { text: 'Your team’s async charter', blocks };
}

/** The last changes to the charter, in words, newest first. */
export function historyReply(lines: readonly string[]): Reply {
  if (lines.length === 0) return note('Nobody has changed the charter yet: the defaults are in force. `/async charter` shows them.');
  return { text: 'Charter history', blocks: [header('Charter history'), section(lines.slice(0, 10).map((l) => `• ${l}`).join('\n')), ONLY_YOU] };
}

const at = (ms: number, tz: string, now: number) => {
  const t = DateTime.fromMillis(ms, { zone: tz });
  return t.hasSame(DateTime.fromMillis(now, { zone: tz }), 'day') ? `today ${t.toFormat('HH:mm')}` : t.toFormat('ccc d LLL HH:mm');
};

/** A Slack link to the message that asked (its thread when it is a reply). */
export const messageLink = (w: Pick<Waiting, 'channel' | 'ts' | 'rootTs' | 'isReply'>): string => `https://slack.com/archives/${w.channel}/p${w.ts.replace('.', '')}${w.isReply ? `?thread_ts=${w.rootTs}&cid=${w.channel}` : ''}`;

/** What waits on a person: links, who asked, when it is due in their zone. */
export function waitingLines(o: Pick<MyOverview, 'waiting' | 'waitingTotal' | 'now'> & { tz: string }): string {
  if (o.waitingTotal === 0) return 'Nothing is waiting on you. :tada:';
  const lines = o.waiting.map((w) => {
    const due = w.dueAt === null ? 'no due time' : w.overdue ? `*overdue* since ${at(w.dueAt, o.tz, o.now)}` : `due ${at(w.dueAt, o.tz, o.now)}`;
    return `• <${messageLink(w)}|<@${w.requester}> in <#${w.channel}>>${w.urgent ? ' (urgent)' : ''}: ${due}`;
  });
  const more = o.waitingTotal - o.waiting.length;
  return `${lines.join('\n')}${more > 0 ? `\n…and ${more} more.` : ''}`;
}

const trend = (now: number | null, before: number | null, unit: 'pct' | 'min' | 'n'): string => {
  if (now === null || before === null || now === before) return '';
  const up = now > before;
  const d = Math.abs(now - before);
  const text = unit === 'pct' ? `${Math.round(d * 100)} pts` : unit === 'min' ? formatMinutes(d) : String(d);
  return ` (${up ? '▲' : '▼'} ${text})`;
};

/** "This week / last week" lines of a person's own figures. */
export function weekLines(w: PersonalWeek, prev: PersonalWeek | null): string {
  return [
    `Requests to you: *${w.requests_to_you}* · answered on time: *${formatPercent(w.compliance, 0)}*${prev ? trend(w.compliance, prev.compliance, 'pct') : ''}`,
    `Your median wait before answering: *${formatMinutes(w.median_wait_working_minutes)}* of your working time${prev ? trend(w.median_wait_working_minutes, prev.median_wait_working_minutes, 'min') : ''}`,
    `Messages you sent after hours: *${w.after_hours_messages}* of ${w.messages}${prev ? trend(w.after_hours_messages, prev.after_hours_messages, 'n') : ''}`,
    `Nudges you got: *${w.nudges}* · focus: *${w.focus_hours} h*`,
  ].join('\n');
}

/** `/async stats`: the caller's own figures, this week and last, and what waits on them. */
export function statsReply(o: MyOverview): Reply {
  const [thisWeek, lastWeek] = o.weeks;
  const state: string[] = [];
  if (o.focusUntil !== null) state.push(`In focus until ${at(o.focusUntil, o.caller.tz, o.now)}`);
  if (o.snoozedUntil !== null) state.push(`nudges snoozed until ${at(o.snoozedUntil, o.caller.tz, o.now)}`);
  return {
    text: 'Your async stats',
    blocks: [
      header('Your async stats'),
      section(`*Waiting on you now*\n${waitingLines({ ...o, tz: o.caller.tz })}`),
      section(`*This week so far* (from ${thisWeek.week_start})\n${weekLines(thisWeek, lastWeek)}`),
      section(`*Last week* (from ${lastWeek.week_start})\n${weekLines(lastWeek, null)}`),
      context(`${state.length > 0 ? `${state.join(' · ')}. ` : ''}Times in your zone (${o.caller.tz}). Only you can see your figures.`),
    ],
  };
}

const channelWeek = (r: WeeklyReport): string =>
  [
    `Messages: *${r.messages}* · in threads: *${formatPercent(share(r.threaded_messages, r.messages), 0)}* · after hours: *${formatPercent(share(r.after_hours_messages, r.messages), 0)}*`,
    `Requests: *${r.requests}* · on time: *${formatPercent(r.compliance, 0)}* · median wait: *${formatMinutes(r.median_response_working_minutes)}* of working time`,
    `Meeting requests: *${r.meeting_requests}* · "where is…?" questions: *${r.where_is_questions}*`,
  ].join('\n');

/** `/async stats #channel`: aggregates, or which rule kept them back (never any person's figures). */
export function channelStatsReply(s: ChannelStats): Reply {
  const ch = `<#${s.channel}>`;
  switch (s.status) {
    case 'unknown':
      return note(`I can't see ${ch}. If it is private, invite me first: \`/invite @Async Charter\` in that channel.`);
    case 'not_member':
      return note(`I'm not in ${ch}, so I have no figures for it. Invite me with \`/invite @Async Charter\` there, then try again.`);
    case 'excluded':
      return note(`${ch} is excluded by the charter: nothing there is measured.`);
    case 'too_small':
      return note(`${ch} has fewer than ${plural(s.minGroupSize, 'member')}, so its figures are not shown to anyone: team figures need a group of at least ${s.minGroupSize} people.`);
    case 'ok': {
      const [now, last] = s.weeks;
      return {
        text: `Figures for #${s.name ?? s.channel}`,
        blocks: [
          header(`#${s.name ?? s.channel}: team figures`),
          section(`*This week so far*\n${channelWeek(now)}`),
          section(`*Last week*\n${channelWeek(last)}`),
          context(`${plural(s.members, 'member')}. Aggregates only; no person's figures are shown. Weeks start Monday in ${s.timezone}.`),
        ],
      };
    }
  }
}

/** forget-me: what will go, and the confirmation buttons. */
export function forgetMeConfirm(): Reply {
  return {
    text: 'Delete everything Async Charter keeps about you?',
    blocks: [
      section(
        '*Delete everything Async Charter keeps about you?*\nYour messages’ records (ids and times, never text), your mentions in others’ messages, your reactions, nudges, focus sessions, decisions and your directory entry. Team figures will no longer count you. This cannot be undone.',
      ),
      {
        type: 'actions',
        block_id: 'forget_me',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Delete my data' }, style: 'danger', action_id: ACTIONS.forgetConfirm, value: 'confirm' },
          { type: 'button', text: { type: 'plain_text', text: 'Cancel' }, action_id: ACTIONS.forgetCancel, value: 'cancel' },
        ],
      },
      ONLY_YOU,
    ],
  };
}

/**
 * The decision as posted in the channel (the text is kept on purpose, and the footer says so).
 * `text` is the decision as stored (Slack's escapes decoded); it is posted escaped: people, channels
 * and links Slack made of "@ana", "#general" and a URL stay (see escapeSlackTextKeepingPeople),
 * `<!channel>`, `<!here>`, `<!everyone>` and `<!subteam^…>` are shown as text and notify nobody.
 */
export function decisionPost(author: string, text: string): Reply {
  const shown = escapeSlackTextKeepingPeople(text);
  return {
    text: `Decision logged by <@${author}>: ${clip(shown, 200)}`,
    blocks: [section(`:white_check_mark: *Decision* logged by <@${author}>\n${shown}`), context('Logged with `/async decision`: this text is stored on purpose as the team’s decision record.')],
  };
}
