/**
 * Text people wrote, made safe to post as the bot. Slack reads `<…>` in message text as its
 * markup (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^S…>`, `<@U…>`, links) and asks apps to
 * escape `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;` in text they post: escaped, the text reads as
 * typed and notifies nobody. (A bare "@channel" notifies only with `link_names`/`parse: full`,
 * which the app never sets.) Pure.
 */

/** `&` `<` `>` → `&amp;` `&lt;` `&gt;`: shown as typed in mrkdwn and message text; no mention, no link. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * What Slack itself makes of a person, a channel or a link in a slash command's text (with
 * should_escape): `<@U…|label>`, `<#C…|name>`, `<https://…|label>`. Group mentions (`<!…>`) and
 * anything else are not here.
 */
const KEPT = /<(@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|(?:https?:\/\/|mailto:)[^\s<>|]+)(?:\|[^<>]*)?>/g;

/**
 * Like escapeSlackText, but keeps mentions of one person (`<@U…>`), channel links (`<#C…>`) and
 * http(s)/mailto links, each reduced to its id or address (the label dropped, so a link cannot say
 * something other than where it goes). For `/async decision`, whose text Slack hands over with
 * "@ana" already made `<@U…|ana>`: the person named is notified as if the author had posted it;
 * no group ever is (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` are escaped).
 */
export function escapeSlackTextKeepingPeople(text: string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(KEPT)) {
    const at = m.index ?? 0;
    out += `${escapeSlackText(text.slice(from, at))}<${escapeSlackText(m[1] ?? '')}>`;
    from = at + m[0].length;
  }
  return out + escapeSlackText(text.slice(from));
}

/**
 * At most `max` characters (UTF-16 units, as Slack counts), ending in `…` when cut, and never cut
 * inside an entity (`&amp;`) or a `<…>` token (which would leave a bare `<` or a broken mention):
 * the cut moves back to before it. Text already within `max` is returned as is.
 */
export function clipSlackText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, Math.max(0, max - 1))
    .replace(/&[a-z]*$/, '')
    .replace(/<[^>]*$/, '')
    // Never end on half of a surrogate pair.
    .replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}
