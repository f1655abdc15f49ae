-- Requests (SPEC §4) with each one's first response, kept for the weekly report: it reads these
-- rows instead of joining a week of messages with itself (issue 10: a 1M-message week hashed every
-- message to find ~500k responses, 3-4 s on a 2-core machine).
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
-- Kept in two steps, so that a write pays almost nothing for it:
-- 1. Statement triggers on messages and reactions append what changed to `requests_queue` (every
--    write path: events, edits, deletions, imports, backfill, retention, forgetting someone): one
--    insert of the statement's rows, no lookup.
-- 2. `requests_drain(limit)` applies a share of the queue, set-based, off the acknowledgement path:
--    the app's `requests` job every few seconds, and every report before it reads (so a report
--    sees every committed write). A bulk load (an export's import) queues nothing: it marks its team
--    in `requests_stale`, and the next drain computes that team's requests anew (`requests_rebuild`).
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
  reaction_at   timestamptz not null default 'infinity'   -- first reaction of rcpt to the message
);
-- Three indexes, no primary key (each index costs a bulk load ~1 s per 300k requests on a 2-core
-- machine). (channel, ts, n) is unique all the same: a message's rows are written when it is, and
-- gone before it changes (test/store/requests-table.test.ts holds the table to its definition).
-- The report reads a team's requests by time: by time alone, so that no lookup by team (below)
-- can take this index for a shorter one (plpgsql keeps a generic plan made while the table was
-- empty, and one such plan read a team's requests whole for each message).
create index requests_posted_at on requests (posted_at);
-- A new message answers the requests to its author in its thread (and the thread's root, when the
-- author is mentioned there); a message's own requests are found by its thread and ts too. The
-- thread comes first: no lookup without one can take this index for requests_top.
create index requests_thread on requests (root_ts, team_id, channel_id, rcpt);
-- ...and, when top-level, their top-level requests in the channel since their previous top-level
-- message there (earlier ones were answered by that one at the latest): the lookup reads the
-- requests of that gap, whatever the channel's history and in whichever order messages arrive.
create index requests_top on requests (team_id, channel_id, rcpt, ts) where not is_reply;

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

-- Where the top-level requests a top-level message of p_user at p_ts may answer begin: the whole
-- second of p_user's previous top-level message in the channel (a request before that second was
-- answered by that message at the latest), or the beginning. Slack ts text sorts as its time, by
-- whole seconds too; the second keeps a ts written with fewer digits (the same microsecond) inside.
create function top_gap_from(p_team text, p_channel text, p_user text, p_ts text) returns text
language sql stable parallel safe as $$
  select coalesce(split_part((
    select p.ts from messages p
    where p.team_id = p_team and p.channel_id = p_channel and p.user_id = p_user and not p.is_reply and p.ts < p_ts
    order by p.ts desc limit 1), '.', 1), '')
$$;

-- The first ts of the next whole second: requests later than that are later than p_ts.
create function ts_next_second(p_ts text) returns text
language sql immutable parallel safe as $$
  select (split_part(p_ts, '.', 1)::int8 + 1)::text
$$;

-- Messages added (inserted, or an edit's new version): their requests, with the responses already
-- stored; then the stored requests they answer, each keeping its earliest answer.
-- This and requests_remove run in requests_drain over a share of the queue (a few hundred rows):
-- index lookups only, so that a drain costs what it applies, not what the store holds. The planner
-- cannot tell the size of an array (it guesses 10 rows) nor, while a team grows, of requests, and a
-- hash join read all of requests for each share. No JIT: the costs of the plans turned off would
-- make Postgres compile each statement (~0.2 s, where the statement takes a millisecond).
create function requests_add(added messages[]) returns void language plpgsql
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off set jit = off
as $$
begin
  insert into requests (team_id, channel_id, ts, n, rcpt, requester, posted_at, root_ts, is_reply, reply_at, reaction_at)
  select m.team_id, m.channel_id, m.ts, u.n, u.rcpt, m.user_id, m.posted_at, m.root_ts, m.is_reply,
         request_reply_at(m.team_id, m.channel_id, m.ts, m.posted_at, m.root_ts, m.is_reply, u.rcpt),
         request_reaction_at(m.team_id, m.channel_id, m.ts, u.rcpt)
  from unnest(added) m cross join lateral unnest(m.mentions) with ordinality as u(rcpt, n)
  where m.mentions <> '{}' and u.rcpt <> m.user_id;

  update requests r set reply_at = s.at
  from (
    select a.team_id, a.channel_id, a.root_ts, a.rcpt, a.ts, a.n, min(a.at) as at from (
      select r2.team_id, r2.channel_id, r2.root_ts, r2.rcpt, r2.ts, r2.n, y.posted_at as at
      from unnest(added) y join requests r2
        on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and r2.root_ts = y.root_ts
      where r2.reply_at > y.posted_at and y.ts >= r2.ts and ts_later(y.posted_at, y.ts, r2.posted_at, r2.ts)
      union all
      select r2.team_id, r2.channel_id, r2.root_ts, r2.rcpt, r2.ts, r2.n, y.posted_at
      from unnest(added) y join requests r2
        on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and not r2.is_reply
          and r2.ts >= top_gap_from(y.team_id, y.channel_id, y.user_id, y.ts) and r2.ts < ts_next_second(y.ts)
      where not y.is_reply and r2.reply_at > y.posted_at and ts_later(y.posted_at, y.ts, r2.posted_at, r2.ts)
    ) a
    group by a.team_id, a.channel_id, a.root_ts, a.rcpt, a.ts, a.n
  ) s
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.rcpt and r.ts = s.ts and r.n = s.n and r.reply_at > s.at;
end
$$;

-- A version of a message, as the queue keeps it: what its requests and its answers depend on.
create type request_msg as (team_id text, channel_id text, ts text, root_ts text, user_id text, is_reply boolean, posted_at timestamptz);

-- Messages removed (deleted, or an edit's old version): their requests go, and the requests they
-- were the first answer of look for their next one.
create function requests_remove(removed request_msg[]) returns void language plpgsql
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off set jit = off
as $$
begin
  delete from requests r using unnest(removed) m
  where r.team_id = m.team_id and r.channel_id = m.channel_id and r.root_ts = m.root_ts and r.ts = m.ts;

  update requests r set reply_at = request_reply_at(r.team_id, r.channel_id, r.ts, r.posted_at, r.root_ts, r.is_reply, r.rcpt)
  from (
    select r2.team_id, r2.channel_id, r2.root_ts, r2.rcpt, r2.ts, r2.n
    from unnest(removed) y join requests r2
      on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and r2.root_ts = y.root_ts
    where r2.reply_at = y.posted_at
    union
    select r2.team_id, r2.channel_id, r2.root_ts, r2.rcpt, r2.ts, r2.n
    from unnest(removed) y join requests r2
      on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and not r2.is_reply
        and r2.ts >= top_gap_from(y.team_id, y.channel_id, y.user_id, y.ts) and r2.ts < ts_next_second(y.ts)
    where not y.is_reply and r2.reply_at = y.posted_at
  ) s
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.rcpt and r.ts = s.ts and r.n = s.n;
end
$$;

-- Slack ts as microseconds (the fraction padded to six digits), the order ts_later follows.
create function ts_micros(ts text) returns int8
language sql immutable parallel safe as $$
  select split_part(ts, '.', 1)::int8 * 1000000 + rpad(split_part(ts, '.', 2), 6, '0')::int8
$$;

-- A team's requests computed anew from its messages and reactions, set-based: after a bulk load
-- (an import defers the triggers' work, async_charter.defer_requests) and to fill the table the
-- first time. Thread answers: one hash join of the team's messages with the requests by (channel,
-- root, person). Top-level answers (the recipient's first later top-level message in the channel) are
-- a running minimum over each (channel, person) in descending ts order, where a request comes before
-- a message of the same microsecond (not later than it): one sort, no lookup per request.
create function requests_rebuild(p_team text) returns void language plpgsql
-- Hash joins and bitmap scans of the team's rows: right after a bulk load the statistics still
-- describe the store before it, and the planner took the team for a few rows (a merge join of the
-- running minimums back to the requests was quadratic; index scans read the team row by row).
set enable_mergejoin = off set enable_nestloop = off set enable_indexscan = off set work_mem = '64MB' set jit = off
-- (and what requests_drain, which calls it, turns off for its lookups)
set enable_seqscan = on set enable_hashjoin = on set enable_bitmapscan = on set enable_sort = on
set max_parallel_workers_per_gather = 0
as $$
begin
  delete from requests where team_id = p_team;
  insert into requests (team_id, channel_id, ts, n, rcpt, requester, posted_at, root_ts, is_reply, reply_at, reaction_at)
  with req as materialized (
    select m.channel_id, m.ts, u.n::int as n, u.rcpt, m.user_id as requester, m.posted_at, m.root_ts, m.is_reply
    from messages m cross join lateral unnest(m.mentions) with ordinality as u(rcpt, n)
    where m.team_id = p_team and m.mentions <> '{}' and u.rcpt <> m.user_id
  ),
  thread as (
    select r.channel_id, r.ts, r.n, min(y.posted_at) as at
    from req r join messages y on y.team_id = p_team and y.channel_id = r.channel_id and y.root_ts = r.root_ts and y.user_id = r.rcpt
    where ts_later(y.posted_at, y.ts, r.posted_at, r.ts)
    group by r.channel_id, r.ts, r.n
  ),
  top as (
    select x.channel_id, x.ts, x.n, x.kind,
           min(x.at) over (partition by x.channel_id, x.person order by x.mu desc, x.kind rows unbounded preceding) as at
    from (
      select channel_id, rcpt as person, ts_micros(ts) as mu, 0 as kind, ts, n, null::timestamptz as at from req where not is_reply
      union all
      select channel_id, user_id, ts_micros(ts), 1, null, null, posted_at from messages where team_id = p_team and not is_reply
    ) x
  ),
  reacted as (
    select channel_id, message_ts, user_id, min(reacted_at) as at from reactions where team_id = p_team group by channel_id, message_ts, user_id
  )
  select p_team, r.channel_id, r.ts, r.n, r.rcpt, r.requester, r.posted_at, r.root_ts, r.is_reply,
         least(t.at, o.at, 'infinity'::timestamptz), coalesce(x.at, 'infinity'::timestamptz)
  from req r
  left join thread t on t.channel_id = r.channel_id and t.ts = r.ts and t.n = r.n
  left join (select * from top where kind = 0) o on o.channel_id = r.channel_id and o.ts = r.ts and o.n = r.n
  left join reacted x on x.channel_id = r.channel_id and x.message_ts = r.ts and x.user_id = r.rcpt;
end
$$;


-- What changed since the last drain. kind 'm': a version of a message (inserted, deleted, or either
-- side of an edit that moved what requests depend on); kind 'x': a reaction's message and reactor
-- (user_id). No index: a drain takes any share of it, and order does not matter (each share is
-- applied against the messages as they are then).
create table requests_queue (
  kind        text not null,
  team_id     text not null,
  channel_id  text not null,
  ts          text not null,
  root_ts     text,
  user_id     text not null,
  is_reply    boolean,
  posted_at   timestamptz
);

-- Teams whose requests are computed anew at the next drain: after a bulk load, and at this migration.
create table requests_stale (team_id text primary key);

create function messages_queue_requests() returns trigger language plpgsql as $$
begin
  -- A bulk load (an export's import) marks its team in requests_stale instead.
  if current_setting('async_charter.defer_requests', true) = 'on' then return null; end if;
  if tg_op = 'INSERT' then
    insert into requests_queue (kind, team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at)
    select 'm', team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at from new_rows;
  elsif tg_op = 'DELETE' then
    insert into requests_queue (kind, team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at)
    select 'm', team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at from old_rows;
  else
    -- An edit: both versions, when what a request depends on changed (mentions, thread, author, time).
    insert into requests_queue (kind, team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at)
    select 'm', d.team_id, d.channel_id, d.ts, d.root_ts, d.user_id, d.is_reply, d.posted_at from (
      (select team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at, mentions from old_rows
       except select team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at, mentions from new_rows)
      union all
      (select team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at, mentions from new_rows
       except select team_id, channel_id, ts, root_ts, user_id, is_reply, posted_at, mentions from old_rows)
    ) d;
  end if;
  return null;
end
$$;

create trigger messages_requests_insert after insert on messages
  referencing new table as new_rows for each statement execute function messages_queue_requests();
create trigger messages_requests_update after update on messages
  referencing old table as old_rows new table as new_rows for each statement execute function messages_queue_requests();
create trigger messages_requests_delete after delete on messages
  referencing old table as old_rows for each statement execute function messages_queue_requests();

-- Reactions added, moved to an earlier time, removed (a removed reaction keeps its row and still
-- answered: reactions.removed_at) or deleted (retention, forgetting someone).
create function reactions_queue_requests() returns trigger language plpgsql as $$
begin
  if current_setting('async_charter.defer_requests', true) = 'on' then return null; end if;
  insert into requests_queue (kind, team_id, channel_id, ts, user_id)
  select distinct 'x', team_id, channel_id, message_ts, user_id from changed_rows;
  return null;
end
$$;

create trigger reactions_requests_insert after insert on reactions
  referencing new table as changed_rows for each statement execute function reactions_queue_requests();
create trigger reactions_requests_update after update on reactions
  referencing new table as changed_rows for each statement execute function reactions_queue_requests();
create trigger reactions_requests_delete after delete on reactions
  referencing old table as changed_rows for each statement execute function reactions_queue_requests();

-- Applies up to p_limit queued rows (and first computes anew any stale team's requests); returns
-- how many queued rows it applied. With p_team, that team's only (a report, forgetting someone: a
-- team's requests depend on its own rows alone). Drains run one at a time (a transaction-scoped
-- advisory lock).
-- Each queued message is applied as it stands now: every version the queue names leaves (its
-- requests, and the answers it gave), then the current one comes back. So a share needs no order,
-- and a message queued twice, or written again after its row was taken, comes out the same.
create function requests_drain(p_limit integer, p_team text default null) returns integer language plpgsql
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off set jit = off
as $$
declare
  stale text;
  taken requests_queue[];
  removed request_msg[];
  added messages[];
begin
  perform pg_advisory_xact_lock(7365432101);
  for stale in delete from requests_stale where p_team is null or team_id = p_team returning team_id loop
    perform requests_rebuild(stale);
  end loop;
  -- The report reads next: statistics for what was just computed (the embedded store has no autovacuum).
  if found then analyze requests; end if;
  with d as (
    delete from requests_queue where ctid = any(array(select ctid from requests_queue where p_team is null or team_id = p_team limit p_limit)) returning *
  )
  select array_agg(row(d.kind, d.team_id, d.channel_id, d.ts, d.root_ts, d.user_id, d.is_reply, d.posted_at)::requests_queue) into taken from d;
  if taken is null then return 0; end if;

  -- The current versions of the queued messages (a deleted one has none).
  select array_agg(m) into added from messages m
  join (select distinct q.team_id, q.channel_id, q.ts from unnest(taken) q where q.kind = 'm') k
    on m.team_id = k.team_id and m.channel_id = k.channel_id and m.ts = k.ts;
  -- The versions queued: the one whose requests the table holds (written by the last drain, or by a
  -- rebuild from what was stored then) is among them, since every change queues the version it replaces.
  select array_agg(distinct row(q.team_id, q.channel_id, q.ts, q.root_ts, q.user_id, q.is_reply, q.posted_at)::request_msg) into removed
  from unnest(taken) q where q.kind = 'm';
  if removed is not null then perform requests_remove(removed); end if;
  if added is not null then perform requests_add(added); end if;

  -- Reactions: the reacted message's requests to the reactor look again (found by the message's thread).
  update requests r set reaction_at = request_reaction_at(r.team_id, r.channel_id, r.ts, r.rcpt)
  from (
    select distinct q.team_id, q.channel_id, q.ts, m.root_ts, q.user_id
    from unnest(taken) q join messages m on m.team_id = q.team_id and m.channel_id = q.channel_id and m.ts = q.ts
    where q.kind = 'x'
  ) s
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.user_id and r.ts = s.ts;
  return cardinality(taken);
end
$$;

-- What is already stored is computed at the first drain (the app's job, or the first report), not
-- here: a large store would hold up the migration.
insert into requests_stale (team_id) select distinct team_id from messages;
