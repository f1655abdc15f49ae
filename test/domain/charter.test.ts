import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { channelRules, defaultCharter, parseCharter } from '../../src/domain/charter';

describe('charter (SPEC §1)', () => {
  it('defaults are exactly the values of SPEC §1', () => {
    expect(defaultCharter()).toEqual({
      timezone: 'UTC',
      workdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      working_hours: { start: '09:00', end: '17:00' },
      holidays: [],
      response_windows: { normal: { working_minutes: 480 }, urgent: { minutes: 60 } },
      urgent_channels: [],
      focus: { days: ['wed'], daily: { start: '09:00', end: '11:00' } },
      digest: { channel: null, day: 'mon', time: '09:00' },
      nudges: { meeting_requests: true, off_hours_mentions: true, early_followups: true },
      reactions_count_as_response: true,
      excluded_channels: [],
      min_group_size: 5,
      editors: [],
      pilot: { start: null, weeks: 6, channels: [] },
      pulse: { enabled: false, day: 'fri', time: '15:00' },
      retention_days: 180,
    });
  });

  it('the example charter in docs/charter.example.yml is valid', () => {
    const r = parseCharter(parse(readFileSync(join(__dirname, '..', '..', 'docs', 'charter.example.yml'), 'utf8')));
    expect(r.ok).toBe(true);
  });

  it('fills nested defaults around a partial charter', () => {
    const r = parseCharter({ timezone: 'Europe/Berlin', response_windows: { urgent: { minutes: 30 } }, nudges: { meeting_requests: false } });
    expect(r.ok && r.charter.response_windows).toEqual({ normal: { working_minutes: 480 }, urgent: { minutes: 30 } });
    expect(r.ok && r.charter.nudges).toEqual({ meeting_requests: false, off_hours_mentions: true, early_followups: true });
  });

  it.each([
    [{ colour: 'blue' }, 'colour', /unknown key/],
    [{ nudges: { meeting_request: true } }, 'nudges.meeting_request', /unknown key/],
    [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA/],
    [{ timezone: '+02:00' }, 'timezone', /IANA/],
    [{ workdays: ['monday'] }, 'workdays.0', /one of mon/],
    [{ workdays: [] }, 'workdays', /at least one/],
    [{ workdays: ['mon', 'mon'] }, 'workdays', /twice/],
    [{ working_hours: { start: '9am', end: '17:00' } }, 'working_hours.start', /HH:MM/],
    [{ working_hours: { start: '18:00', end: '09:00' } }, 'working_hours.end', /before end/],
    [{ holidays: ['2026-02-30'] }, 'holidays.0', /YYYY-MM-DD/],
    [{ response_windows: { normal: { working_minutes: 0 } } }, 'response_windows.normal.working_minutes', /greater than 0/],
    [{ response_windows: { urgent: { minutes: 1.5 } } }, 'response_windows.urgent.minutes', /whole number/],
    [{ urgent_channels: ['#incidents'] }, 'urgent_channels.0', /channel id/],
    [{ min_group_size: 0 }, 'min_group_size', /at least 1/],
    [{ editors: ['ana'] }, 'editors.0', /user id/],
    [{ reactions_count_as_response: 'yes' }, 'reactions_count_as_response', /./],
    [{ channel_overrides: { C0ABC: { response_windows: { normal: { working_minutes: -5 } } } } }, 'channel_overrides.C0ABC.response_windows.normal.working_minutes', /greater than 0/],
  ])('rejects %j naming %s', (input, path, message) => {
    const r = parseCharter(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const p = r.problems.find((x) => x.path === path);
    expect(p).toBeDefined();
    expect(p?.message).toMatch(message);
  });

  it('takes "24:00" as the end of working hours or of the focus block, and nowhere else', () => {
    const r = parseCharter({ working_hours: { start: '00:00', end: '24:00' }, focus: { daily: { start: '20:00', end: '24:00' } } });
    expect(r.ok && [r.charter.working_hours, r.charter.focus.daily]).toEqual([
      { start: '00:00', end: '24:00' },
      { start: '20:00', end: '24:00' },
    ]);
    const problem = (input: Record<string, unknown>) => (r2 => (r2.ok ? null : r2.problems.map((p) => `${p.path}: ${p.message}`).join('; ')))(parseCharter(input));
    expect(problem({ working_hours: { start: '24:00', end: '24:00' } })).toMatch(/^working_hours\.start: must be a time "HH:MM"/);
    expect(problem({ working_hours: { start: '09:00', end: '24:01' } })).toMatch(/^working_hours\.end: must be a time "HH:MM" \(24-hour, or "24:00" for the end of the day\)/);
    expect(problem({ digest: { time: '24:00' } })).toMatch(/^digest\.time: must be a time/);
    expect(problem({ pulse: { time: '24:00' } })).toMatch(/^pulse\.time: must be a time/);
  });

  it('takes ids of any length Slack-shaped (C1, U1 in hand-written charters)', () => {
    const r = parseCharter({ urgent_channels: ['C1'], excluded_channels: ['G2'], editors: ['U1', 'W2'] });
    expect(r.ok).toBe(true);
    expect(parseCharter({ urgent_channels: ['C'] }).ok).toBe(false);
    expect(parseCharter({ editors: ['u1'] }).ok).toBe(false);
  });

  it('per-channel overrides change response windows and nudges for that channel only', () => {
    const r = parseCharter({ urgent_channels: ['C0INCIDENT'], channel_overrides: { C0SUPPORT: { response_windows: { normal: { working_minutes: 120 } }, nudges: { meeting_requests: false } } } });
    if (!r.ok) throw new Error('invalid');
    expect(channelRules(r.charter, 'C0SUPPORT')).toEqual({ normalWorkingMinutes: 120, urgentMinutes: 60, urgent: false, nudges: { meeting_requests: false, off_hours_mentions: true, early_followups: true } });
    expect(channelRules(r.charter, 'C0OTHER').normalWorkingMinutes).toBe(480);
    expect(channelRules(r.charter, 'C0INCIDENT').urgent).toBe(true);
  });
});
