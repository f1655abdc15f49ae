import { DateTime } from 'luxon';
import { channelRules, type Charter, type Weekday, WEEKDAYS } from './charter';
import { formatMinutes } from './units';

/** The charter in words, for `/async charter` and App Home. Pure: the caller's zone and `now` are arguments. */

const DAY: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
const LONG_DAY: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** ['mon'…'fri'] → "Mon–Fri"; a run of 3+ consecutive days is shortened, others listed. */
export function dayList(days: readonly Weekday[]): string {
  if (days.length === 0) return 'no day';
  const idx = [...new Set(days)].map((d) => WEEKDAYS.indexOf(d)).sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const i of idx) {
    const last = runs.at(-1);
    if (last !== undefined && (last.at(-1) as number) + 1 === i) last.push(i);
    else runs.push([i]);
  }
  return runs.map((r) => (r.length >= 3 ? `${DAY[WEEKDAYS[r[0] as number] as Weekday]}–${DAY[WEEKDAYS[r.at(-1) as number] as Weekday]}` : r.map((i) => DAY[WEEKDAYS[i] as Weekday]).join(', '))).join(', ');
}

/** "480 working minutes" → "8 h of working time"; urgent minutes are wall clock. */
const windowText = (rules: ReturnType<typeof channelRules>): string => `${formatMinutes(rules.normalWorkingMinutes)} of the recipient's working time; urgent: ${formatMinutes(rules.urgentMinutes)} on the clock`;

/** The next digest slot at or after now, as an instant (ms), in the charter timezone. */
function nextDigestSlot(charter: Charter, now: number): number {
  const [h, m] = charter.digest.time.split(':').map(Number) as [number, number];
  const target = WEEKDAYS.indexOf(charter.digest.day) + 1;
  let t = DateTime.fromMillis(now, { zone: charter.timezone }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  for (let i = 0; i < 8 && (t.weekday !== target || t.toMillis() < now); i++) t = t.plus({ days: 1 }).set({ hour: h, minute: m });
  return t.toMillis();
}

export type CharterSection = { title: string; lines: string[] };

/**
 * The charter in force as sections of short mrkdwn lines: working time (local to each person,
 * and what that means for the caller), response windows, focus, urgent path, digest (with its
 * time in the caller's zone), nudges, privacy; then this channel's overrides when it has any.
 */
export function describeCharter(charter: Charter, o: { callerTz: string; channel: string | null; now: number }): CharterSection[] {
  const wh = charter.working_hours;
  const sameZone = o.callerTz === charter.timezone;
  const base = channelRules(charter, '');
  // Urgent channels: the charter's list and every channel an override makes urgent.
  const urgent = [...new Set([...charter.urgent_channels, ...Object.entries(charter.channel_overrides ?? {}).flatMap(([id, o]) => (o.urgent === true ? [id] : []))])];
  const sections: CharterSection[] = [
    {
      title: 'Working time',
      lines: [
        `${dayList(charter.workdays)}, ${wh.start}–${wh.end} in each person's own Slack time zone (yours: ${o.callerTz}).`,
        charter.holidays.length === 0 ? 'No charter-wide holidays.' : `Holidays: ${charter.holidays.slice(0, 12).join(', ')}${charter.holidays.length > 12 ? ` and ${charter.holidays.length - 12} more` : ''}.`,
      ],
    },
    {
      title: 'Response windows',
      lines: [
        `An @mention deserves an answer within ${windowText(base)}.`,
        `Answering in the thread or channel${charter.reactions_count_as_response ? ', or with a reaction,' : ''} counts.`,
      ],
    },
    {
      title: 'Focus',
      lines: [
        charter.focus.days.length === 0 ? 'No meeting-free days.' : `No-meeting ${charter.focus.days.map((d) => LONG_DAY[d]).join(', ')}.`,
        charter.focus.daily === null ? 'No daily focus block.' : `Daily focus block ${charter.focus.daily.start}–${charter.focus.daily.end}, your local time.`,
        'Start your own with `/async focus`.',
      ],
    },
    {
      title: 'Urgent path',
      lines: [urgent.length === 0 ? 'No urgent channel set: the urgent window applies nowhere yet.' : `Urgent requests go to ${urgent.map((c) => `<#${c}>`).join(', ')}.`],
    },
  ];
  const slot = nextDigestSlot(charter, o.now);
  const local = DateTime.fromMillis(slot, { zone: o.callerTz });
  sections.push({
    title: 'Weekly digest',
    lines: [
      charter.digest.channel === null
        ? 'No digest channel yet: an admin can pick one with `/async config`.'
        : `Posted in <#${charter.digest.channel}> every ${LONG_DAY[charter.digest.day]} at ${charter.digest.time} ${charter.timezone}${sameZone ? '' : ` (${local.setLocale('en-US').toFormat('ccc HH:mm')} your time)`}.`,
      `Team figures are shown only for groups of at least ${charter.min_group_size} people.`,
    ],
  });
  const on = (b: boolean) => (b ? 'on' : 'off');
  sections.push({
    title: 'Nudges',
    lines: [`Meeting requests: ${on(charter.nudges.meeting_requests)} · off-hours mentions: ${on(charter.nudges.off_hours_mentions)} · early follow-ups: ${on(charter.nudges.early_followups)}.`, 'Nudges are private, and `/async snooze` pauses them for you.'],
  });
  if (o.channel !== null) {
    const c = charter.channel_overrides?.[o.channel];
    const excluded = charter.excluded_channels.includes(o.channel);
    const urgent = charter.urgent_channels.includes(o.channel) || c?.urgent === true;
    const lines: string[] = [];
    if (excluded) lines.push('This channel is excluded: nothing here is measured.');
    if (urgent) lines.push('This is an urgent channel: requests here use the urgent window.');
    if (c?.response_windows !== undefined || c?.nudges !== undefined) {
      const r = channelRules(charter, o.channel);
      if (c.response_windows !== undefined) lines.push(`Response window here: ${windowText(r)}.`);
      if (c.nudges !== undefined) lines.push(`Nudges here: meeting requests ${on(r.nudges.meeting_requests)}, off-hours mentions ${on(r.nudges.off_hours_mentions)}, early follow-ups ${on(r.nudges.early_followups)}.`);
    }
    sections.push({ title: `In <#${o.channel}>`, lines: lines.length === 0 ? ['No overrides: the charter above applies.'] : lines });
  }
  return sections;
}
