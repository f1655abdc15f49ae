import type { KnownBlock } from '@slack/types';

/** The introduction posted once in each channel the app joins. Pure. */
export function introMessage(): { text: string; blocks: KnownBlock[] } {
  const text =
    ':wave: Hi, I’m *Async Charter*. I hold this workspace to the charter your team wrote: I measure how long @mentions wait for an answer in each person’s own working time, nudge meeting requests toward a thread or a memo (privately, to the sender only), and post a weekly health digest.';
  return {
    text: 'Hi, I’m Async Charter: I measure response times against your charter. I never store message text.',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: ':lock: I never store or log message text, only ids and times. Your own figures are shown only to you; team figures need a group of at least the charter’s minimum. Try `/async help`.' }] },
    ],
  };
}
