-- A stale team's requests (after an import) computed anew channel by channel, one statement each
-- (issue 10: the embedded store runs each statement on the app's event loop; one statement for a
-- whole 1M-message team held acknowledgements for 10-12 s). A request's answers are always in its
-- own channel, so a channel's requests depend on that channel's messages and reactions alone.
--
-- requests_stale keeps marking teams (an import's transaction marks its team); the first step of a
-- drain turns a stale team into its channels here (and deletes the team's requests), and each later
-- step computes one share of them. Until a channel is computed, drains drop its queued rows: its
-- computation reads the messages as they are then.
create table requests_stale_channels (
  team_id    text not null,
  channel_id text not null,
  primary key (team_id, channel_id)
);

create function requests_rebuild_channel(p_team text, p_channel text) returns void language plpgsql
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
    select channel_id, message_ts, user_id, min(reacted_at) as at from reactions where team_id = p_team and channel_id = p_channel group by channel_id, message_ts, user_id
  )
  select p_team, r.channel_id, r.ts, r.n, r.rcpt, r.requester, r.posted_at, r.root_ts, r.is_reply,
         least(t.at, o.at, 'infinity'::timestamptz), coalesce(x.at, 'infinity'::timestamptz)
  from req r
  left join thread t on t.channel_id = r.channel_id and t.ts = r.ts and t.n = r.n
  left join (select * from top where kind = 0) o on o.channel_id = r.channel_id and o.ts = r.ts and o.n = r.n
  left join reacted x on x.channel_id = r.channel_id and x.message_ts = r.ts and x.user_id = r.rcpt;
end
$$;

-- One step of computing stale teams anew: first every stale team (all, or p_team's) becomes its
-- channels (a walk of messages' primary key, one probe per channel) and its requests go, then up to
-- p_channels of them are computed. Returns how many channels it
-- computed: fewer than p_channels when none are left. Runs under the drains' lock.
create function requests_rebuild_step(p_team text, p_channels integer) returns integer language plpgsql as $$
declare
  stale text;
  k record;
  n integer := 0;
  converted boolean := false;
begin
  perform pg_advisory_xact_lock(7365432101);
  for stale in delete from requests_stale where p_team is null or team_id = p_team returning team_id loop
    converted := true;
    insert into requests_stale_channels (team_id, channel_id)
    with recursive c(ch) as (
      select min(channel_id) from messages where team_id = stale
      union all
      select (select min(m.channel_id) from messages m where m.team_id = stale and m.channel_id > c.ch) from c where c.ch is not null
    )
    select stale, ch from c where ch is not null
    on conflict do nothing;
    -- One scan, once per stale team: a delete per channel had no index to take (one on (team, channel)
    -- made the drains' lookups take it, and their database CPU per event went from 0.16 to 1.3 ms).
    delete from requests where team_id = stale;
  end loop;
  -- A team goes stale after a bulk load, which the statistics do not know of yet: the planner took
  -- the team for a row or two and read all of its messages for each channel (by team_id alone, three
  -- times: ~0.9 s a 40k-message channel beside another team's 1M messages, 0.27 s after this).
  if converted then analyze messages; analyze reactions; end if;
  for k in
    delete from requests_stale_channels where ctid = any(array(
      select ctid from requests_stale_channels where p_team is null or team_id = p_team order by team_id, channel_id limit p_channels))
    returning team_id, channel_id
  loop
    perform requests_rebuild_channel(k.team_id, k.channel_id);
    n := n + 1;
  end loop;
  -- The report reads next: statistics once a team's last channel is computed (the embedded store has no autovacuum).
  if n > 0 and not exists (select 1 from requests_stale_channels) then analyze requests; end if;
  return n;
end
$$;

-- The queue only: stale teams are requests_rebuild_step's.
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
    select distinct q.team_id, q.channel_id, q.ts, m.root_ts, q.user_id
    from unnest(taken) q join messages m on m.team_id = q.team_id and m.channel_id = q.channel_id and m.ts = q.ts
    where q.kind = 'x'
  ) s
  left join lateral (
    select min(rx.reacted_at) as at from reactions rx
    where rx.team_id = s.team_id and rx.channel_id = s.channel_id and rx.message_ts = s.ts and rx.user_id = s.user_id) x on true
  where r.team_id = s.team_id and r.channel_id = s.channel_id and r.root_ts = s.root_ts and r.rcpt = s.user_id and r.ts = s.ts;
  return n_taken;
end
$$;

drop function requests_rebuild(text);
