import type { KnownBlock, View } from '@slack/types';
import { DateTime } from 'luxon';
import { describeCharter } from '../../domain/charter-text';
import type { MyOverview, SetupSteps } from '../../services/me';
import { ACTIONS } from '../ids';
import { waitingLines, weekLines } from './commands';

/** App Home: the viewer's own page. Pure: their overview in, a home view out (≤ 100 blocks). */

const clip = (s: string, n = 2900) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 2000) }] });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150) } });
const button = (text: string, action_id: string, value: string, style?: 'primary' | 'danger') => ({ type: 'button' as const, text: { type: 'plain_text' as const, text }, action_id, value, ...(style ? { style } : {}) });
const when = (ms: number, tz: string, now: number) => {
  const t = DateTime.fromMillis(ms, { zone: tz });
  return t.hasSame(DateTime.fromMillis(now, { zone: tz }), 'day') ? t.toFormat('HH:mm') : t.toFormat('ccc d LLL HH:mm');
};

const done = (ok: boolean) => (ok ? ':white_check_mark:' : ':white_large_square:');

/** The three setup steps (admins, owners, editors) until all are done. */
function setupBlocks(s: SetupSteps): KnownBlock[] {
  const b = s.backfill;
  const history =
    b === null
      ? { text: 'Import the last 30 days of history, so the first digest has a baseline.', button: button('Import history', ACTIONS.startBackfill, '30', 'primary'), join: button('Join all public channels, then import', ACTIONS.startBackfill, '30:join') }
      : b.status === 'running'
        ? { text: `Importing history: ${b.channelsDone} of ${b.channelsTotal} channels, ${b.messages.toLocaleString('en-US')} messages so far.`, button: button('Refresh', ACTIONS.homeRefresh, 'refresh') }
        : b.status === 'failed'
          ? { text: `The history import stopped (${b.channelsDone} of ${b.channelsTotal} channels). Start it again to continue where it stopped.`, button: button('Continue import', ACTIONS.startBackfill, '30', 'primary') }
          : { text: `History imported: ${b.channelsTotal} channels, ${b.messages.toLocaleString('en-US')} messages.`, button: undefined };
  return [
    header('Set up Async Charter'),
    { type: 'section', text: { type: 'mrkdwn', text: `${done(s.charterStored)} *1. Set the charter*: working hours, response windows, focus time.` }, accessory: button('Charter settings', ACTIONS.openCharterSettings, 'open') },
    { type: 'section', text: { type: 'mrkdwn', text: `${done(s.digestChannel)} *2. Pick the digest channel* where the weekly health digest is posted.` }, accessory: button('Pick a channel', ACTIONS.openCharterSettings, 'digest') },
    { type: 'section', text: { type: 'mrkdwn', text: `${done(b?.status === 'done')} *3. Import history.* ${history.text}` }, ...(history.button && !('join' in history) ? { accessory: history.button } : {}) },
    ...('join' in history && history.button && history.join ? [{ type: 'actions' as const, block_id: 'backfill', elements: [history.button, history.join] }] : []),
  ];
}

/** The home tab for one viewer. */
export function homeView(o: MyOverview): View {
  const tz = o.caller.tz;
  const [thisWeek, lastWeek] = o.weeks;
  const charter = describeCharter(o.charter, { callerTz: tz, channel: null, now: o.now });
  const summary = charter.filter((s) => ['Working time', 'Response windows', 'Focus', 'Weekly digest'].includes(s.title)).map((s) => `*${s.title}:* ${s.lines[0] ?? ''}`);
  const focus =
    o.focusUntil === null
      ? { text: 'You are not in focus. While you are, whoever mentions you is told your message will wait.', button: button('Focus for 2 hours', ACTIONS.homeFocus, '120', 'primary') }
      : { text: `:headphones: You are in focus until *${when(o.focusUntil, tz, o.now)}*.`, button: button('End focus', ACTIONS.homeFocusOff, 'off') };
  const snooze =
    o.snoozedUntil === null
      ? { text: 'Nudges are on.', button: button('Snooze nudges 7 days', ACTIONS.homeSnooze, '7') }
      : { text: `:zzz: Nudges are snoozed until *${when(o.snoozedUntil, tz, o.now)}*.`, button: button('Resume nudges', ACTIONS.homeSnoozeOff, 'off') };
  const blocks: KnownBlock[] = [
    header('Async Charter'),
    section(summary.join('\n')),
    context('The full charter: `/async charter` · every command: `/async help`'),
    { type: 'divider' },
    header('Waiting on you'),
    section(waitingLines({ ...o, tz })),
    { type: 'divider' },
    header('Your week'),
    section(`*This week so far*\n${weekLines(thisWeek, lastWeek)}`),
    section(`*Last week*\n${weekLines(lastWeek, null)}`),
    { type: 'divider' },
    { type: 'section', text: { type: 'mrkdwn', text: focus.text }, accessory: focus.button },
    { type: 'section', text: { type: 'mrkdwn', text: snooze.text }, accessory: snooze.button },
  ];
  if (o.setup !== null) blocks.splice(1, 0, ...setupBlocks(o.setup), { type: 'divider' });
  if (o.caller.canEditCharter) {
    blocks.push({ type: 'divider' }, section('*For admins and charter editors*'), { type: 'actions', block_id: 'admin', elements: [button('Charter settings', ACTIONS.openCharterSettings, 'open', 'primary')] });
  }
  blocks.push(context(`Only you can see this page. Times in your zone (${tz}). Async Charter never stores message text.`), { type: 'actions', block_id: 'refresh', elements: [button('Refresh', ACTIONS.homeRefresh, 'refresh')] });
  return { type: 'home', blocks };
}
