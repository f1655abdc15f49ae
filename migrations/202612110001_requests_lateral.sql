-- The requests queue applied without a SQL function call per row (issue 10: ingest's database CPU).
-- requests_add, requests_remove and requests_drain looked each request's first answer up through
-- request_reply_at / request_reaction_at / top_gap_from, called once per row. Postgres cannot
-- inline a SQL function whose body holds a subquery, so each call ran its own executor: ~70 µs of a
-- drain's ~100 µs per queued message (a share of 500 re-applied: 34-41 ms before, 27-29 ms after,
-- minimum of 12 drains, alternating). The same lookups now sit in the statements as lateral joins,
-- planned once per session with the function's cached plan. Same indexes, same results:
-- test/store/requests-table.test.ts holds the table to SPEC §4 recomputed in JavaScript.

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
    where rx.team_id = m.team_id and rx.channel_id = m.channel_id and rx.message_ts = m.ts and rx.user_id = u.rcpt) x on true
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

create or replace function requests_remove(removed request_msg[]) returns void language plpgsql
set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off set jit = off
as $$
begin
  delete from requests r using unnest(removed) m
  where r.team_id = m.team_id and r.channel_id = m.channel_id and r.root_ts = m.root_ts and r.ts = m.ts;

  update requests r set reply_at = least(t.at, o.at, 'infinity'::timestamptz)
  from (
    select r2.team_id, r2.channel_id, r2.root_ts, r2.rcpt, r2.ts, r2.n, r2.posted_at, r2.is_reply
    from unnest(removed) y join requests r2
      on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and r2.root_ts = y.root_ts
    where r2.reply_at = y.posted_at
    union
    select r2.team_id, r2.channel_id, r2.root_ts, r2.rcpt, r2.ts, r2.n, r2.posted_at, r2.is_reply
    from unnest(removed) y
    cross join lateral (
      select coalesce(split_part((
        select p.ts from messages p
        where p.team_id = y.team_id and p.channel_id = y.channel_id and p.user_id = y.user_id and not p.is_reply and p.ts < y.ts
        order by p.ts desc limit 1), '.', 1), '') as from_ts) g
    join requests r2
      on r2.team_id = y.team_id and r2.channel_id = y.channel_id and r2.rcpt = y.user_id and not r2.is_reply
        and r2.ts >= g.from_ts and r2.ts < ts_next_second(y.ts)
    where not y.is_reply and r2.reply_at = y.posted_at
  ) s
  left join lateral (
    select min(y.posted_at) as at from messages y
    where y.team_id = s.team_id and y.channel_id = s.channel_id and y.root_ts = s.root_ts and y.user_id = s.rcpt
      and y.ts >= s.ts and ts_later(y.posted_at, y.ts, s.posted_at, s.ts)) t on true
  left join lateral (
    select y.posted_at as at from messages y
    where not s.is_reply and y.team_id = s.team_id and y.channel_id = s.channel_id and y.user_id = s.rcpt and y.ts >= s.ts
      and not y.is_reply and ts_later(y.posted_at, y.ts, s.posted_at, s.ts)
    order by y.ts limit 1) o on true
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.rcpt and r.ts = s.ts and r.n = s.n;
end
$$;

create or replace function requests_drain(p_limit integer, p_team text default null) returns integer language plpgsql
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
  update requests r set reaction_at = coalesce(x.at, 'infinity'::timestamptz)
  from (
    select distinct q.team_id, q.channel_id, q.ts, m.root_ts, q.user_id
    from unnest(taken) q join messages m on m.team_id = q.team_id and m.channel_id = q.channel_id and m.ts = q.ts
    where q.kind = 'x'
  ) s
  left join lateral (
    select min(rx.reacted_at) as at from reactions rx
    where rx.team_id = s.team_id and rx.channel_id = s.channel_id and rx.message_ts = s.ts and rx.user_id = s.user_id) x on true
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.user_id and r.ts = s.ts;
  return cardinality(taken);
end
$$;

-- No longer called.
drop function request_reply_at(text, text, text, timestamptz, text, boolean, text);
drop function request_reaction_at(text, text, text, text);
drop function top_gap_from(text, text, text, text);
