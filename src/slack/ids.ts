/** action_id and callback_id values shared by Block Kit builders and listeners. */
export const ACTIONS = {
  nudgeThread: 'nudge_thread',
  nudgeMemo: 'nudge_memo',
  nudgeAgenda: 'nudge_agenda',
  nudgeNotMeeting: 'nudge_not_meeting',
  nudgeSnooze: 'nudge_snooze',
  nudgeDismiss: 'nudge_dismiss',
  forgetConfirm: 'forget_me_confirm',
  forgetCancel: 'forget_me_cancel',
  homeFocus: 'home_focus',
  homeFocusOff: 'home_focus_off',
  homeSnooze: 'home_snooze',
  homeSnoozeOff: 'home_snooze_off',
  homeRefresh: 'home_refresh',
  openCharterSettings: 'open_charter_settings',
  charterOverride: 'charter_override',
  startBackfill: 'start_backfill',
} as const;

export const VIEWS = {
  threadStarter: 'thread_starter',
  decisionMemo: 'decision_memo',
  meetingAgenda: 'meeting_agenda',
  charterSettings: 'charter_settings',
  channelOverride: 'channel_override',
} as const;

/** block_id / action_id pairs of modal inputs. */
export const FIELDS = {
  starter: 'starter',
  context: 'context',
  options: 'options',
  recommendation: 'recommendation',
  decideBy: 'decide_by',
  purpose: 'purpose',
  outcome: 'outcome',
  preReading: 'pre_reading',
  when: 'when',
  postAnyway: 'post_anyway',
} as const;
