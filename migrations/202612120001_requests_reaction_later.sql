-- A request's reaction answer is the recipient's first reaction LATER than its message (SPEC §4:
-- "a reaction by U on M, later than M"); the table kept their first reaction whatever its time. Slack
-- never sends a reaction timed before its message, but a hand-made payload may (Slack's documented
-- reaction_added example carries a 2013 event_ts), and a first reaction so timed hid a later one.
-- The three writers of reaction_at are redefined with that condition, otherwise unchanged:
-- requests_add (202612110001), requests_rebuild_channel and requests_drain (202612110002).
-- test/store/requests-table.test.ts holds the table to the definition recomputed in JavaScript.

create or replace function requests_add(added messages[]) returns void language plpgsql
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off set jit = off
as $$
begin
  insert into requests (team_id, channel_id, ts, n, rcpt, requester, posted_at, root_ts, is_reply, reply_at, reaction_at)
  select m.team_id, m.channel_id, m.ts, u.n, u.rcpt, m.user_id, m.posted_at, m.root_ts, m.is_reply,
         least(t.at, o.at, 'infinity'::timestamptz), coalesce(x.at, 'infinity'::timestamptz)
  from unnest(added) m cross join lateral unnest(m.mentions) with ordinality as u(rcpt, n)
  left join lateral (
    select min(y.posted_at) as at from messages y
    where y.team_id = m.team_id and y.channel_id = m.channel_id and y.root_ts = m.root_ts and y.user_id = u.rcpt
      and y.ts >= m.ts and ts_later(y.posted_at, y.ts, m.posted_at, m.ts)) t on true
  left join lateral (
    select y.posted_at as at from messages y
    where not m.is_reply and y.team_id = m.team_id and y.channel_id = m.channel_id and y.user_id = u.rcpt and y.ts >= m.ts
      and not y.is_reply and ts_later(y.posted_at, y.ts, m.posted_at, m.ts)
    order by y.ts limit 1) o on true
  left join lateral (
    select min(rx.reacted_at) as at from reactions rx
    where rx.team_id = m.team_id and rx.channel_id = m.channel_id and rx.message_ts = m.ts and rx.user_id = u.rcpt
      and rx.reacted_at > m.posted_at) x on true
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
      from unnest(added) y
      cross join lateral (
        select coalesce(split_part((
          select p.ts from messages p
          where p.team_id = y.team_id and p.channel_id = y.channel_id and p.user_id = y.user_id and not p.is_reply and p.ts < y.ts
          order by p.ts desc limit 1), '.', 1), '') as from_ts) g
      join requests r2
        on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and not r2.is_reply
          and r2.ts >= g.from_ts and r2.ts < ts_next_second(y.ts)
      where not y.is_reply and r2.reply_at > y.posted_at and ts_later(y.posted_at, y.ts, r2.posted_at, r2.ts)
    ) a
    group by a.team_id, a.channel_id, a.root_ts, a.rcpt, a.ts, a.n
  ) s
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.rcpt and r.ts = s.ts and r.n = s.n and r.reply_at > s.at;
end
$$;

create or replace function requests_rebuild_channel(p_team text, p_channel text) returns void language plpgsql
-- Hash joins and bitmap scans of the team's rows: right after a bulk load the statistics still
-- describe the store before it, and the planner took the team for a few rows (a merge join of the
-- running minimums back to the requests was quadratic; index scans read the team row by row).
set enable_mergejoin = off set enable_nestloop = off set enable_indexscan = off set work_mem = '64MB' set jit = off
-- (and what the drain turns off for its lookups)
set enable_seqscan = on set enable_hashjoin = on set enable_bitmapscan = on set enable_sort = on
set max_parallel_workers_per_gather = 0
as $$
begin
  -- The team's requests were deleted when it was turned into channels (requests_rebuild_step).
  insert into requests (team_id, channel_id, ts, n, rcpt, requester, posted_at, root_ts, is_reply, reply_at, reaction_at)
  with req as materialized (
    select m.channel_id, m.ts, u.n::int as n, u.rcpt, m.user_id as requester, m.posted_at, m.root_ts, m.is_reply
    from messages m cross join lateral unnest(m.mentions) with ordinality as u(rcpt, n)
    where m.team_id = p_team and m.channel_id = p_channel and m.mentions <> '{}' and u.rcpt <> m.user_id
  ),
  thread as (
    select r.channel_id, r.ts, r.n, min(y.posted_at) as at
    from req r join messages y on y.team_id = p_team and y.channel_id = p_channel and y.channel_id = r.channel_id and y.root_ts = r.root_ts and y.user_id = r.rcpt
    where ts_later(y.posted_at, y.ts, r.posted_at, r.ts)
    group by r.channel_id, r.ts, r.n
  ),
  top as (
    select x.channel_id, x.ts, x.n, x.kind,
           min(x.at) over (partition by x.channel_id, x.person order by x.mu desc, x.kind rows unbounded preceding) as at
    from (
      select channel_id, rcpt as person, ts_micros(ts) as mu, 0 as kind, ts, n, null::timestamptz as at from req where not is_reply
      union all
      select channel_id, user_id, ts_micros(ts), 1, null, null, posted_at from messages where team_id = p_team and channel_id = p_channel and not is_reply
    ) x
  ),
  reacted as (
    select r.channel_id, r.ts, r.n, min(x.reacted_at) as at
    from req r join reactions x on x.team_id = p_team and x.channel_id = p_channel and x.channel_id = r.channel_id and x.message_ts = r.ts and x.user_id = r.rcpt
    where x.reacted_at > r.posted_at
    group by r.channel_id, r.ts, r.n
  )
  select p_team, r.channel_id, r.ts, r.n, r.rcpt, r.requester, r.posted_at, r.root_ts, r.is_reply,
         least(t.at, o.at, 'infinity'::timestamptz), coalesce(x.at, 'infinity'::timestamptz)
  from req r
  left join thread t on t.channel_id = r.channel_id and t.ts = r.ts and t.n = r.n
  left join (select * from top where kind = 0) o on o.channel_id = r.channel_id and o.ts = r.ts and o.n = r.n
  left join reacted x on x.channel_id = r.channel_id and x.ts = r.ts and x.n = r.n;
end
$$;

create or replace function requests_drain(p_limit integer, p_team text default null) returns integer language plpgsql
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off set jit = off
as $$
declare
  taken requests_queue[];
  n_taken integer;
  removed request_msg[];
  added messages[];
begin
  perform pg_advisory_xact_lock(7365432101);
  -- Stale teams are computed by requests_rebuild_step, before (src/store/requests.ts: drainRequests).
  with d as (
    delete from requests_queue where ctid = any(array(select ctid from requests_queue where p_team is null or team_id = p_team limit p_limit)) returning *
  )
  select array_agg(row(d.kind, d.team_id, d.channel_id, d.ts, d.root_ts, d.user_id, d.is_reply, d.posted_at)::requests_queue) into taken from d;
  if taken is null then return 0; end if;
  n_taken := cardinality(taken);
  -- Rows of a team or a channel still to compute anew are dropped: that computation reads the messages as they are then.
  select array_agg(q) into taken from unnest(taken) q
  where not exists (select 1 from requests_stale s where s.team_id = q.team_id)
    and not exists (select 1 from requests_stale_channels s where s.team_id = q.team_id and s.channel_id = q.channel_id);
  if taken is null then return n_taken; end if;

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
  update requests r set reaction_at = coalesce(x.at, 'infinity'::timestamptz)
  from (
    select distinct q.team_id, q.channel_id, q.ts, m.root_ts, m.posted_at, q.user_id
    from unnest(taken) q join messages m on m.team_id = q.team_id and m.channel_id = q.channel_id and m.ts = q.ts
    where q.kind = 'x'
  ) s
  left join lateral (
    select min(rx.reacted_at) as at from reactions rx
    where rx.team_id = s.team_id and rx.channel_id = s.channel_id and rx.message_ts = s.ts and rx.user_id = s.user_id
      and rx.reacted_at > s.posted_at) x on true
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.user_id and r.ts = s.ts;
  return n_taken;
end
$$;

-- Rows written before: only those whose reaction answer is not later than the message change.
update requests r set reaction_at = coalesce((
  select min(rx.reacted_at) from reactions rx
  where rx.team_id = r.team_id and rx.channel_id = r.channel_id and rx.message_ts = r.ts and rx.user_id = r.rcpt and rx.reacted_at > r.posted_at
), 'infinity'::timestamptz)
where r.reaction_at <= r.posted_at;
