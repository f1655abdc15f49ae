import { parseCharter } from '../../../src/domain/charter';
import { charterSettingsView } from '../../../src/slack/blocks/charter-settings';
import { charterInputFrom } from '../../../src/slack/listeners/views/charter-settings';
import { makeCharter } from '../../helpers/charter';
import { initialState, setField } from '../../helpers/view-state';

type Input = { type: string; block_id?: string; element?: { initial_time?: string } };
const initialTime = (view: { blocks: unknown[] }, block: string) => (view.blocks as Input[]).find((b) => b.block_id === block)?.element?.initial_time;

describe('charter settings: an end at "24:00" (a time picker has no such time)', () => {
  it('shows as 00:00 and is read back as 24:00, so opening and saving changes nothing', () => {
    const c = makeCharter({ working_hours: { start: '08:00', end: '24:00' }, focus: { daily: { start: '21:00', end: '24:00' } } });
    const view = charterSettingsView(c) as unknown as { blocks: unknown[] };
    expect(initialTime(view, 'working_hours.end')).toBe('00:00');
    expect(initialTime(view, 'focus.daily.end')).toBe('00:00');
    expect(initialTime(view, 'working_hours.start')).toBe('08:00');
    const saved = parseCharter(charterInputFrom(initialState(view) as never));
    expect(saved.ok && saved.charter).toEqual(c);
  });

  it('an end picked as 00:00 means until midnight; a start at 00:00 stays the day\'s first minute', () => {
    const view = charterSettingsView(makeCharter()) as unknown as { blocks: unknown[] };
    let state = setField(initialState(view), 'working_hours.start', { selected_time: '00:00' });
    state = setField(state, 'working_hours.end', { selected_time: '00:00' });
    const saved = parseCharter(charterInputFrom(state as never));
    expect(saved.ok && saved.charter.working_hours).toEqual({ start: '00:00', end: '24:00' });
    // Any other end is taken as picked.
    const later = parseCharter(charterInputFrom(setField(initialState(view), 'working_hours.end', { selected_time: '18:30' }) as never));
    expect(later.ok && later.charter.working_hours).toEqual({ start: '09:00', end: '18:30' });
  });
});
