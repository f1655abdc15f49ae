-- Requests (SPEC §4) kept as messages arrive, each with its first response: the weekly report
-- reads these rows instead of joining a week of messages with itself (issue 10: a 1M-message week
-- hashed every message to find ~500k responses).
--
-- One row per (message, mentioned person other than its author): n is the mention's place in
-- `messages.mentions`. Whether it counts (the recipient a person of the directory, not a bot, not
-- deleted, not the app; the author not a bot; the channel tracked) and when it is due are decided
-- when reading, since the directory and the charter change. What is kept is what only the
-- messages and reactions decide: the first message of the recipient that answers it and their
-- first reaction to it ('infinity': none). SPEC §4's response: a later message of the recipient in
-- the same channel with the same root, or a later top-level one of theirs when the request is
-- top-level; a reaction of theirs to the request's message.
--
-- Triggers on messages and reactions keep the rows in step on every path that writes them (events,
-- edits, deletions, imports, backfill, retention, forgetting someone), each once per statement
-- with the statement's rows, so a COPY or a batch costs set-based joins, not one lookup per row.
-- No text is kept: ids and instants, as in messages.
create table requests (
  team_id       text not null,
  channel_id    text not null,
  ts            text not null,                 -- the request's message
  n             integer not null,              -- 1-based place of rcpt in the message's mentions
  rcpt          text not null,
  requester     text not null,                 -- the message's author
  posted_at     timestamptz not null,
  root_ts       text not null,
  is_reply      boolean not null,
  reply_at      timestamptz not null default 'infinity',  -- first answering message of rcpt
  reaction_at   timestamptz not null default 'infinity',  -- first reaction of rcpt to the message
  primary key (team_id, channel_id, ts, n)
);
-- The report reads a team's requests by time.
create index requests_team_posted_at on requests (team_id, posted_at);
-- A new message answers the requests to its author in its thread (and the thread's root, when the
-- author is mentioned there)...
create index requests_thread on requests (team_id, channel_id, rcpt, root_ts);
-- ...and, when top-level, their top-level requests in the channel that are still open (or were
-- answered later than it: a message delivered late). Answered ones leave the range: the lookup
-- does not grow with the channel's history.
create index requests_top_open on requests (team_id, channel_id, rcpt, reply_at) where not is_reply;

-- y is later than x in Slack's order (SPEC §4): by instant, then by the microseconds the
-- millisecond hides.
create function ts_later(y_at timestamptz, y_ts text, x_at timestamptz, x_ts text) returns boolean
language sql immutable parallel safe as $$
  select y_at > x_at or (y_at = x_at and rpad(split_part(y_ts, '.', 2), 6, '0') > rpad(split_part(x_ts, '.', 2), 6, '0'))
$$;

-- The first message answering request r (channel, ts, root, top-level or not, recipient), or
-- 'infinity'. Two index lookups: the thread (messages_root), and the recipient's first later
-- top-level message (messages_channel_user_ts from the request's ts on: ts text sorts as its time).
create function request_reply_at(p_team text, p_channel text, p_ts text, p_at timestamptz, p_root text, p_reply boolean, p_rcpt text)
returns timestamptz language sql stable parallel safe as $$
  select least(
    (select min(y.posted_at) from messages y
      where y.team_id = p_team and y.channel_id = p_channel and y.root_ts = p_root and y.user_id = p_rcpt
        and y.ts >= p_ts and ts_later(y.posted_at, y.ts, p_at, p_ts)),
    case when not p_reply then
      (select y.posted_at from messages y
        where y.team_id = p_team and y.channel_id = p_channel and y.user_id = p_rcpt and y.ts >= p_ts
          and not y.is_reply and ts_later(y.posted_at, y.ts, p_at, p_ts)
        order by y.ts limit 1)
    end,
    'infinity'::timestamptz)
$$;

create function request_reaction_at(p_team text, p_channel text, p_ts text, p_rcpt text)
returns timestamptz language sql stable parallel safe as $$
  select coalesce(min(x.reacted_at), 'infinity'::timestamptz) from reactions x
  where x.team_id = p_team and x.channel_id = p_channel and x.message_ts = p_ts and x.user_id = p_rcpt
$$;

-- Messages added (inserted, or an edit's new version): their requests, with the responses already
-- stored; then the stored requests they answer, each keeping its earliest answer.
create function requests_add(added messages[]) returns void language plpgsql as $$
begin
  insert into requests (team_id, channel_id, ts, n, rcpt, requester, posted_at, root_ts, is_reply, reply_at, reaction_at)
  select m.team_id, m.channel_id, m.ts, u.n, u.rcpt, m.user_id, m.posted_at, m.root_ts, m.is_reply,
         request_reply_at(m.team_id, m.channel_id, m.ts, m.posted_at, m.root_ts, m.is_reply, u.rcpt),
         request_reaction_at(m.team_id, m.channel_id, m.ts, u.rcpt)
  from unnest(added) m cross join lateral unnest(m.mentions) with ordinality as u(rcpt, n)
  where m.mentions <> '{}' and u.rcpt <> m.user_id
  on conflict (team_id, channel_id, ts, n) do update set
    rcpt = excluded.rcpt, requester = excluded.requester, posted_at = excluded.posted_at, root_ts = excluded.root_ts,
    is_reply = excluded.is_reply, reply_at = excluded.reply_at, reaction_at = excluded.reaction_at;

  update requests r set reply_at = s.at
  from (
    select a.team_id, a.channel_id, a.ts, a.n, min(a.at) as at from (
      select r2.team_id, r2.channel_id, r2.ts, r2.n, y.posted_at as at
      from unnest(added) y join requests r2
        on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and r2.root_ts = y.root_ts
      where r2.reply_at > y.posted_at and y.ts >= r2.ts and ts_later(y.posted_at, y.ts, r2.posted_at, r2.ts)
      union all
      select r2.team_id, r2.channel_id, r2.ts, r2.n, y.posted_at
      from unnest(added) y join requests r2
        on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and not r2.is_reply
      where not y.is_reply and r2.reply_at > y.posted_at and y.ts >= r2.ts and ts_later(y.posted_at, y.ts, r2.posted_at, r2.ts)
    ) a
    group by a.team_id, a.channel_id, a.ts, a.n
  ) s
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.ts = s.ts and r.n = s.n and r.reply_at > s.at;
end
$$;

-- Messages removed (deleted, or an edit's old version): their requests go, and the requests they
-- were the first answer of look for their next one.
create function requests_remove(removed messages[]) returns void language plpgsql as $$
begin
  delete from requests r using unnest(removed) m
  where r.team_id = m.team_id and r.channel_id = m.channel_id and r.ts = m.ts;

  update requests r set reply_at = request_reply_at(r.team_id, r.channel_id, r.ts, r.posted_at, r.root_ts, r.is_reply, r.rcpt)
  from (
    select r2.team_id, r2.channel_id, r2.ts, r2.n
    from unnest(removed) y join requests r2
      on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and r2.root_ts = y.root_ts
    where r2.reply_at = y.posted_at
    union
    select r2.team_id, r2.channel_id, r2.ts, r2.n
    from unnest(removed) y join requests r2
      on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and not r2.is_reply
    where not y.is_reply and r2.reply_at = y.posted_at
  ) s
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.ts = s.ts and r.n = s.n;
end
$$;

create function messages_keep_requests() returns trigger language plpgsql as $$
declare
  added messages[];
  removed messages[];
begin
  if tg_op = 'INSERT' then
    select array_agg(m) into added from new_rows m;
  elsif tg_op = 'DELETE' then
    select array_agg(m) into removed from old_rows m;
  else
    -- An edit: what a request depends on changed (mentions, thread, author, time) → the old version out, the new in.
    select array_agg(o), array_agg(m) into removed, added
    from old_rows o join new_rows m on m.team_id = o.team_id and m.channel_id = o.channel_id and m.ts = o.ts
    where (m.mentions, m.root_ts, m.is_reply, m.user_id, m.posted_at) is distinct from (o.mentions, o.root_ts, o.is_reply, o.user_id, o.posted_at);
  end if;
  if removed is not null then perform requests_remove(removed); end if;
  if added is not null then perform requests_add(added); end if;
  return null;
end
$$;

create trigger messages_requests_insert after insert on messages
  referencing new table as new_rows for each statement execute function messages_keep_requests();
create trigger messages_requests_update after update on messages
  referencing old table as old_rows new table as new_rows for each statement execute function messages_keep_requests();
create trigger messages_requests_delete after delete on messages
  referencing old table as old_rows for each statement execute function messages_keep_requests();

-- Reactions: a reaction added answers its message's request to the
-- reactor; a reaction changed (an earlier time) or deleted (retention, forgetting someone) makes
-- the request look again.
-- A removed reaction keeps its row and still answered (reactions.removed_at).
create function reactions_keep_requests() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    update requests r set reaction_at = s.at
    from (select x.team_id, x.channel_id, x.message_ts, x.user_id, min(x.reacted_at) as at from new_rows x group by 1, 2, 3, 4) s
    where r.team_id = s.team_id and r.channel_id = s.channel_id and r.ts = s.message_ts and r.rcpt = s.user_id and r.reaction_at > s.at;
  elsif tg_op = 'UPDATE' then
    update requests r set reaction_at = request_reaction_at(r.team_id, r.channel_id, r.ts, r.rcpt)
    from (select distinct x.team_id, x.channel_id, x.message_ts, x.user_id from new_rows x) s
    where r.team_id = s.team_id and r.channel_id = s.channel_id and r.ts = s.message_ts and r.rcpt = s.user_id;
  else
    update requests r set reaction_at = request_reaction_at(r.team_id, r.channel_id, r.ts, r.rcpt)
    from (select distinct x.team_id, x.channel_id, x.message_ts, x.user_id, x.reacted_at from old_rows x) s
    where r.team_id = s.team_id and r.channel_id = s.channel_id and r.ts = s.message_ts and r.rcpt = s.user_id and r.reaction_at = s.reacted_at;
  end if;
  return null;
end
$$;

create trigger reactions_requests_insert after insert on reactions
  referencing new table as new_rows for each statement execute function reactions_keep_requests();
create trigger reactions_requests_update after update on reactions
  referencing new table as new_rows for each statement execute function reactions_keep_requests();
create trigger reactions_requests_delete after delete on reactions
  referencing old table as old_rows for each statement execute function reactions_keep_requests();

-- The requests of what is already stored.
select requests_add(array_agg(m)) from messages m where m.mentions <> '{}';
