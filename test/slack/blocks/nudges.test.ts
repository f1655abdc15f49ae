import { agendaMessage, decisionMemoView, meetingAgendaView, meetingNudgeBlocks, memoMessage, noteBlocks, threadStarterView } from '../../../src/slack/blocks/nudges';

/** Every "text" string anywhere in a Block Kit structure. */
function texts(x: unknown): string[] {
  if (Array.isArray(x)) return x.flatMap(texts);
  if (x !== null && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [v] : texts(v)));
  return [];
}

describe("Block Kit builders stay inside Slack's limits", () => {
  const ref = { n: '42', c: 'C0GENERAL1', ts: '1700000000.000100' };
  const long = 'x'.repeat(10_000);

  it('no text over 3000 characters, even from very long input', () => {
    const all = [meetingNudgeBlocks(long, ref), noteBlocks(long, ref), memoMessage('U1', { context: long, options: long, recommendation: long, decideBy: '2026-12-01' }), agendaMessage('U1', { purpose: long, outcome: long, preReading: null, when: Date.now(), warning: long })];
    for (const blocks of all) for (const t of texts(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
  });

  it('messages stay under 50 blocks and modals under 100, with 5 buttons at most per actions block', () => {
    expect(meetingNudgeBlocks('x', ref).length).toBeLessThanOrEqual(50);
    for (const v of [threadStarterView(ref, 'x'), decisionMemoView(ref), meetingAgendaView(ref)]) {
      expect(v.blocks.length).toBeLessThanOrEqual(100);
      expect(JSON.parse(v.private_metadata ?? '{}')).toEqual(ref);
    }
    const actions = meetingNudgeBlocks('x', ref).find((b) => b.type === 'actions') as { elements: Array<{ value: string }> };
    expect(actions.elements).toHaveLength(5);
    for (const e of actions.elements) expect(JSON.parse(e.value)).toEqual(ref);
  });
});
