import { clipSlackText, escapeSlackText, escapeSlackTextKeepingPeople } from '../../src/domain/slack-text';

describe('escapeSlackText: text people wrote, posted as typed and notifying nobody', () => {
  it.each([
    ['plain text', 'Go with vendor B.', 'Go with vendor B.'],
    ['empty', '', ''],
    ['the three characters', 'a & b < c > d', 'a &amp; b &lt; c &gt; d'],
    ['<!channel>', '<!channel> hi', '&lt;!channel&gt; hi'],
    ['<!here>', '<!here>', '&lt;!here&gt;'],
    ['<!everyone>', '<!everyone>', '&lt;!everyone&gt;'],
    ['a labelled special mention', '<!channel|@channel>', '&lt;!channel|@channel&gt;'],
    ['a user group', '<!subteam^S123|@eng> and <!subteam^S0456>', '&lt;!subteam^S123|@eng&gt; and &lt;!subteam^S0456&gt;'],
    ['a person, typed as markup', '<@U0BEN00001>', '&lt;@U0BEN00001&gt;'],
    ['a masked link', '<https://evil.example|your bank>', '&lt;https://evil.example|your bank&gt;'],
    ['a date token', '<!date^1700000000^{date}|x>', '&lt;!date^1700000000^{date}|x&gt;'],
    ['text that is already an entity is shown as typed', '&lt;!channel&gt;', '&amp;lt;!channel&amp;gt;'],
    ['raw @channel is left as text (no link_names: it notifies nobody)', '@channel @here', '@channel @here'],
    ['mrkdwn formatting is kept', '*bold* _it_ `code`', '*bold* _it_ `code`'],
    ['newlines and emoji are kept', 'a\nb :tada: 🎉', 'a\nb :tada: 🎉'],
  ])('%s', (_name, input, expected) => {
    expect(escapeSlackText(input)).toBe(expected);
  });
});

describe('escapeSlackTextKeepingPeople: /async decision text (Slack made "@ana" <@U…|ana>)', () => {
  it.each([
    ['plain text', 'We ship v2 on Friday', 'We ship v2 on Friday'],
    ['a person Slack linked: kept, label dropped', 'ask <@U0BEN00001|ben>', 'ask <@U0BEN00001>'],
    ['a person without a label', 'ask <@U0BEN00001>', 'ask <@U0BEN00001>'],
    ['an Enterprise Grid person', '<@W0123ABC|ana>', '<@W0123ABC>'],
    ['a channel: kept, label dropped', 'in <#C0GENERAL1|general>', 'in <#C0GENERAL1>'],
    ['a link: kept, label dropped', 'see <https://docs.example.com/d?a=1&b=2|docs.example.com/d>', 'see <https://docs.example.com/d?a=1&amp;b=2>'],
    ['a mailto link', '<mailto:ana@example.com|ana@example.com>', '<mailto:ana@example.com>'],
    ['<!channel>', 'Ship <!channel>', 'Ship &lt;!channel&gt;'],
    ['<!here> and <!everyone>', '<!here> <!everyone>', '&lt;!here&gt; &lt;!everyone&gt;'],
    ['a user group', '<!subteam^S123|@eng>', '&lt;!subteam^S123|@eng&gt;'],
    ['a bot-ish id that is not a person', '<@B0BOT0001>', '&lt;@B0BOT0001&gt;'],
    ['a lower-case id is not Slack’s', '<@u0ben00001>', '&lt;@u0ben00001&gt;'],
    ['a javascript: link', '<javascript:alert(1)|x>', '&lt;javascript:alert(1)|x&gt;'],
    ['a person nested in a group mention', '<!subteam^S1|<@U0BEN00001>>', '&lt;!subteam^S1|<@U0BEN00001>&gt;'],
    ['& < > around kept ones', 'a & <@U0BEN00001|b> > c', 'a &amp; <@U0BEN00001> &gt; c'],
    ['an unclosed token', '<@U0BEN00001 hi', '&lt;@U0BEN00001 hi'],
  ])('%s', (_name, input, expected) => {
    expect(escapeSlackTextKeepingPeople(input)).toBe(expected);
  });

  it('never lets a group mention through, whatever surrounds it', () => {
    const tricky = ['<<!channel>>', '<@U0BEN00001|<!here>>', '<https://x.example|<!everyone>>', '<#C0GENERAL1|<!subteam^S1>>', '<!channel', '!channel>'];
    for (const t of tricky) expect(escapeSlackTextKeepingPeople(t)).not.toMatch(/<!/);
  });
});

describe('clipSlackText', () => {
  it.each([
    ['short text is returned as is', 'hello', 10, 'hello'],
    ['exactly max', 'hello', 5, 'hello'],
    ['cut with an ellipsis', 'hello world', 6, 'hello…'],
    ['never inside an entity', 'ab &amp; cd', 6, 'ab …'],
    ['an entity that fits is kept', 'ab &amp; cd', 10, 'ab &amp; …'],
    ['never inside a <…> token', 'hi <@U0BEN00001> there', 10, 'hi …'],
    ['never half a surrogate pair', 'ab🎉cd', 4, 'ab…'],
  ])('%s', (_name, input, max, expected) => {
    expect(clipSlackText(input, max)).toBe(expected);
  });
});
