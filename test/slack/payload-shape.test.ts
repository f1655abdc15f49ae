import { checkPayloadShape } from '../../src/slack/payload-shape';

/** The shape check in front of Bolt (src/slack/payload-shape.ts): what can never be valid is refused, Slack-shaped ids of any length pass. */
const delivery = (teamId: string, event: Record<string, unknown>) => ({ token: 'x', team_id: teamId, api_app_id: 'A1', type: 'event_callback', event_id: 'Ev1', event_time: 1764000000, event });

describe('payload shape', () => {
  it.each([
    ['short team, channel and user ids', delivery('T1', { type: 'message', channel: 'C1', user: 'U1', ts: '1764000000.000100', text: 'hi <@U2>' })],
    ['a ts without its fraction', delivery('T0TEAM0001', { type: 'message', channel: 'C0CHAN0001', user: 'U0USER0001', ts: '1764000000', text: 'hi' })],
    ['an enterprise id', delivery('E0ENT00001', { type: 'message', channel: 'C0CHAN0001', user: 'W0USER0001', ts: '1764000000.000100', text: 'hi' })],
  ])('passes %s', (_name, body) => {
    expect(checkPayloadShape(body)).toEqual({ ok: true });
  });

  it.each([
    ['a team id that is not one', delivery('team one', { type: 'message', channel: 'C1', user: 'U1', ts: '1764000000.000100' })],
    ['a ts that is not a number', delivery('T1', { type: 'message', channel: 'C1', user: 'U1', ts: '1764000000.x' })],
    ['a ts with a second dot', delivery('T1', { type: 'message', channel: 'C1', user: 'U1', ts: '1764000000.1.2' })],
  ])('refuses %s', (_name, body) => {
    expect(checkPayloadShape(body).ok).toBe(false);
  });
});
