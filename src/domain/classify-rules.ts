import literalTable from './classify-literals.json';
import { LiteralGate, type Candidates } from './literal-gate';

/**
 * The hand-written rules: meeting-request, "where is…?" and question signals from a message's
 * text. Pure. Their signals are features of the learned model (classify.ts), which decides the
 * meeting-request and "where is…?" labels; the question label is these rules' own.
 * Precision first: anything that reads as a negation, a past or reported meeting, an
 * acceptance, or another sense of the word (an API call, a data sync, zoom in) blocks the
 * meeting label. The text is read here and never kept.
 */

export type Classification = {
  meeting_request: boolean;
  where_is: boolean;
  question: boolean;
  /** Meeting-request confidence, 0..1 (at or above the threshold it is a meeting request). */
  score: number;
  signals: string[];
};

export const RULE_MEETING_THRESHOLD = 0.6;

const VIDEO_HOSTS = /(^|\.)(zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|whereby\.com|webex\.com|around\.co|gather\.town|meet\.jit\.si|chime\.aws|bluejeans\.com)$/;

const TYPOS: Array<[RegExp, string]> = [
  [/\b(qucik|quik|qiuck|quck|qick)\b/g, 'quick'],
  [/\bcal\b/g, 'call'],
  [/\bcalll\b/g, 'call'],
  [/\bmeting|meeeting|meetign\b/g, 'meeting'],
  [/\bmtg\b/g, 'meeting'],
  [/\b(tmrw|tmrrw|tmr|tomorow|tommorow|tommorrow)\b/g, 'tomorrow'],
  [/\b(r|are) u\b/g, 'are you'],
  [/\bu\b/g, 'you'],
  [/\b(pls|plz)\b/g, 'please'],
  [/\bwanna\b/g, 'want to'],
  [/\bgonna\b/g, 'going to'],
  [/\blets\b/g, "let's"],
  [/\bwheres\b/g, 'where is'],
  [/\bwhere's\b/g, 'where is'],
  [/\bwher\b/g, 'where'],
  [/\bwere (is|are|can|do)\b/g, 'where $1'],
  [/\bwhats\b/g, 'what is'],
  [/\bwhat's\b/g, 'what is'],
  [/\bwhen's\b/g, 'when is'],
  [/\bmins?\b/g, 'minutes'],
  [/\bscreen share\b/g, 'screenshare'],
  [/\bone on one\b/g, '1:1'],
  [/\bfollow up\b/g, 'follow-up'],
  [/\barvo\b/g, 'afternoon'],
];

const EMOJI_CALL = /:(phone|telephone|telephone_receiver|calling|iphone|video_camera|movie_camera|headphones):|📞|☎️?|📱|🎥|📹/g;

/**
 * Prepared text; `candidates.may(re)` tells, from one scan of the text with a space either side
 * (GATE), whether a registered pattern can match it or any part of it; when not, its test is skipped.
 */
export type Prepared = { text: string; hosts: string[]; signals: string[]; candidates: Candidates };

/**
 * The classifier's patterns, each skipped when the text lacks every string one of its matches
 * must hold (see literal-gate.ts); registered as they are defined, scanned once per text.
 */
export const GATE = new LiteralGate(literalTable);
GATE.add(TYPOS.map(([re]) => re));

const NON_ASCII = /[^\x00-\x7f]/;

/** Strips code, quotes and Slack markup; lower-cases; mends common typos. Each step runs only when its text can be there (the same result, less work on plain messages). */
export function prepare(raw: string): Prepared {
  const signals: string[] = [];
  const hosts: string[] = [];
  let t = raw.includes('\r') ? raw.replace(/\r/g, '') : raw;
  if (t.includes('`')) {
    if (/```[\s\S]*?```/.test(t)) signals.push('code_block_ignored');
    t = t.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/`[^`\n]*`/g, ' codespan ');
  }
  if (t.includes('>') || t.includes('&gt;')) {
    const lines = t.split('\n');
    const kept = lines.filter((l) => !/^\s*(>|&gt;)/.test(l));
    if (kept.length !== lines.length) signals.push('quote_ignored');
    t = kept.join('\n');
  }
  if (t.includes('<')) {
    t = t.replace(/<@[UW][A-Z0-9]+(\|[^>]*)?>/g, ' @someone ');
    t = t.replace(/<#C[A-Z0-9]+(\|([^>]*))?>/g, (_m, _l, name: string | undefined) => ` #${name ?? 'channel'} `);
    t = t.replace(/<!(here|channel|everyone)[^>]*>/g, ' @$1 ').replace(/<!subteam\^[A-Z0-9]+(\|([^>]*))?>/g, ' @team ');
    t = t.replace(/<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>/g, (_m, url: string, label: string | undefined) => {
      const host = hostOf(url);
      if (host) hosts.push(host);
      return ` ${label ?? 'url_given'} `;
    });
  }
  if (t.includes('http')) {
    t = t.replace(/\bhttps?:\/\/[^\s>]+/g, (url) => {
      const host = hostOf(url);
      if (host) hosts.push(host);
      return ' url_given ';
    });
  }
  const nonAscii = NON_ASCII.test(t);
  if (nonAscii || t.includes(':')) t = t.replace(EMOJI_CALL, ' call ');
  if (t.includes('&')) t = t.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  t = t.toLowerCase();
  if (nonAscii) t = t.replace(/[’‘]/g, "'").replace(/[“”]/g, '"');
  // Each mend reads the text the ones before it left: a text that changed is scanned again.
  let found = GATE.scan(t);
  for (const [re, to] of TYPOS) {
    if (!found.may(re)) continue;
    const mended = t.replace(re, to);
    if (mended !== t) (t = mended), (found = GATE.scan(t));
  }
  t = t.replace(/\s+/g, ' ').trim();
  return { text: t, hosts, signals, candidates: GATE.scan(t, true) };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

// ---------- meeting requests ----------

/** Things one meets in. */
const NOUN = String.raw`(?:call|calls|meeting|meetings|sync|sync-up|sync up|zoom|huddle|1:1|screenshare|video call|phone call|phone|facetime|google meet|meet|teams call|bridge|standup|stand-up|kickoff|kick-off|workshop|whiteboard session|brainstorming session|session|catch-up|catch up|chat|walkthrough)`;
const MEETING_NOUN = new RegExp(String.raw`\b${NOUN}\b`);

/** Other senses of the same words, removed before looking for meetings. */
const OTHER_SENSES: RegExp[] = [
  /\b(api|function|network|webhook|rpc|http|sdk|method|system|recursive|async|sync|graphql|remote|cold|sales|conference|close|good|bad|tough|hard|judgment|judgement|your|my|his|her|their|whose|the final|a good|a close|a tough) calls?\b/g,
  /\bcalls? to (the |an? |our |this |that )?(api|apis|endpoint|function|method|service|server|database|db|backend|model|lambda|webhook|[a-z_.]+\(|codespan)/g,
  /\bcall(s|ing)? (on line|stack|back|for papers|site|sites|graph|rate|volume|center|centre)\b/g,
  /\bcall (it|them|that|this) (a|an|the|")/g,
  /\bcall me old\b/g,
  /\bcalling it a day\b/g,
  /\bon-?call\b/g,
  /\b(who is|who's|i'm|i am|is|are|be|am|was|were|who) on call\b/g,
  /\bcall(ing)? (codespan|[a-z_.]+\()/g,
  /\bsync (the|this|that|your|my|our|it|them)\b(?! (up|later|tomorrow|today|on|about|before|after|quickly))/g,
  /\b(is|was|it's|its) (your|my) call\b/g,
  /\bcallbacks?\b/g,
  /\bmissed call\b/g,
  /\bzoom(ed)? (in on|into|in to|out)\b|\bzooming\b|\bzoom in(?! \d)\b/g,
  /\bzoom (is|was) (down|degraded|broken|slow)\b/g,
  /\bzoom (licen[cs]e|integration|account|plan|app|status)\b/g,
  /\b(data|calendar|contact|file|db|database|repo|git|state|the) sync\b/g,
  /\bsync (job|jobs|jobs?|script|process|failed|error|service|worker|queue|is|was)\b/g,
  /\b(out of|in) sync\b/g,
  /\b(synced|syncing|syncs)\b/g,
  /\basync\b/g,
  /\bmeet(s|ing)? (the|our|your|its|their|all|every|this) (deadline|deadlines|bar|sla|slas|criteria|requirements|acceptance|target|targets|goal|goals|quota|needs|standard|expectations|budget)\b/g,
  /\bmeet(s|ing)? (the|our|its) \w+ (bar|sla|criteria|target|deadline)\b/g,
  /\b(nice|great|good|lovely) (to meet|meeting) you\b/g,
  /\bthanks for meeting with\b/g,
  /\bmeeting (notes|room|rooms|minutes|template|recording|summary|agenda|link)\b/g,
  /\b(call|meeting|sync|huddle) (notes|recording|summary|recap|minutes)\b/g,
  /\bteams (notifications|page|channel|app|integration)\b/g,
  /\b(both|two|all|the|our|other) teams\b/g,
  /\bphone (is|was) (dead|broken|off)\b/g,
  /\bphone (number|system|bill|plan)\b/g,
  /\bfree (pizza|tier|lunch|trial|food|coffee)\b/g,
  /\bchat (log|history|widget|bot|support|window)\b/g,
  /\bin (the|this|that|a) (thread|doc|document|channel|comments?|pr|ticket|issue)\b/g,
];

/** Reading this, it is not a request for a meeting. */
const BLOCKERS: Array<[string, RegExp]> = [
  ['negated', /\b((don't|do not|doesn't|does not|won't|shouldn't|no need|not) (\w+ ){0,3}(need|require|have to)|no need (for|to)|(don't|do not|doesn't|does not|won't|will not|shouldn't) (need|have to|require)|not (need|needed|necessary|required)|no (call|meeting|sync|zoom|huddle)s? (needed|necessary|required)|without (a|any) (call|meeting|sync)|instead of (a |calling |scheduling |having )?|rather than|i'd rather not|i would rather not|let's not|not a meeting|no meeting|no call|skip(ping|ped)? (\w+'s |the |this |a |our |my )?(\w+ )?(call|meeting|sync|standup|huddle|1:1|retro)|stop (doing |having )?(the |our |this |these )?(\w+ )?(meetings?|calls?|syncs?|standups?)|(cancel|drop|end|kill|reduce|fewer|less|cut) (\w+ ){0,2}(meetings|calls|syncs)|no[- ]meeting|as (planned|agreed|scheduled|usual)|focus (time|day|days|block|hours)|can('t| not|not) make|cancel(led|ling|ed)?|declined?|drop (the|this|our)|keep (this|it) (async|in the thread|in writing|written)|decide (this|it) (async|here|in)|do it async|write (it|this) (up|down)|written (down|up))\b/],
  ['past_or_reported', /\b(notes from|recording (of|from)|recap of|summary of|minutes (of|from)|as (discussed|agreed|mentioned) (in|on|at|during)|as we (discussed|agreed)|on the (call|meeting|sync) (earlier|yesterday|this morning|last)|after the (call|meeting|sync)|got off (a|the) (call|meeting)|came out of (a|the) (call|meeting)|the (call|meeting|sync|standup|huddle|demo) (was|went|ran|is cancelled|got)|(had|did|held) (a|an|the|our) (good |quick |great |short |long |productive |useful )?(call|meeting|sync|chat|huddle|1:1)|missed the|yesterday's|last week's|this morning's|earlier today|thanks (for|all for) (the|a|our|this) (productive |great |useful |quick )?(call|meeting|sync|chat|invite|huddle)|great (call|meeting|sync)|useful (call|meeting|sync)|(how|what) (did|was|were) (the|they|it)|what came out|did the (meeting|call|sync)|was the (meeting|call|sync)|we had|we've (had|cut)|fewer meetings|(\d+|many|too many) (calls|meetings)|moved the|moving to|is moving|is at \d|is on the|are in the invite|dial-in:)\b/],
  ['acceptance', /^(sure|ok|okay|yes|yep|yeah|yup|sounds good|works for me|perfect|great|cool|see you|joining|omw|accepted|thanks for the invite|i'll be (there|late|\d+ min)|running (\d+ min(ute)?s? )?late|on my way)\b|\bworks for me\b|\bsee you (then|there|on the call|in the meeting)\b/],
  ['async_venue', /\b(chat|talk|discuss|discussing|continue|decide|comment|keep (it|this|discussing)|move (it|this))\b.{0,15}\b(in|on|via|to) (the|this|a) (thread|doc|document|comments|pr|ticket)\b|\bwill report back\b|\breport back here\b/],
  ['written_output', /\b(summari[sz]e|write up|write down|post|share|send|circulate)\b.{0,30}\b(the|that|this|our|from the|of the) (call|meeting|sync|huddle|standup)\b|\b(outcome|summary|notes|decision|recording|minutes|result|results)s? (of|from) (the|that|this|our|today's)\b|\b(took|take|taking) notes\b|\b(from|during) the (call|meeting|sync|huddle|standup)\b/],
  ['late_to_it', /\b(late|early) (to|for) the (meeting|call|sync|standup)\b/],
  ['status', /\b(i'm|i am|im|currently|still) (in|on) (a |the )?(meeting|call|meetings|calls|huddle)\b|^(in|on) (a )?(meeting|call)\b|\bback-to-back\b|\bstepping into\b|\bcalendar is (full|packed)\b/],
  ['about_meetings', /\b(guideline|tip|rule|book|article|argues|said|says|charter|policy)\b.*\b(call|meeting)s?\b/],
  ['third_party_call', /\b(call|calling|called|ring) (the|a|our|their) (bank|vendor|venue|restaurant|landlord|customer|client|supplier|office|hotel|airline|support|helpdesk|insurance|recruiter|candidate|courier|shop|store|plumber|doctor|dentist|school|caterer|printer|agency|lawyer|accountant|hospital|carrier|shipper)\b|\b(the|a) (customer|client|vendor|recruiter|landlord) called\b|\bjust called\b/],
];

/** A proposal: someone asking for or arranging a meeting now or later. */
const PROPOSALS: Array<[string, RegExp, number]> = [
  ['proposal_question', new RegExp(String.raw`\b(can|could|shall|should|would|will) (we|you|i|the (two|three) of us|everyone|you all)\b.{0,40}\b${NOUN}\b`), 0.9],
  ['proposal_lets', new RegExp(String.raw`\b(let's|let us|we should|we need|i think we need|need|i'd like to|i would like to|i'd love to|i want to|going to|i'll|i will|happy to|up for|open to|want to|proposing|planning to|time to)\b.{0,40}\b${NOUN}\b`), 0.85],
  ['availability', new RegExp(String.raw`\b(are you|you|anyone|everyone|is everyone) (free|available|around|up|ok)\b.{0,30}\b(${NOUN}|talk|join|meet|now|in \d+)\b|\b(free|time|bandwidth|minutes|a sec|a second|\d+ minutes) (for|to) (a |an )?(quick |short |brief |live )?${NOUN}\b`), 0.9],
  ['availability_ask', /\b(do you have|got|have you got|any chance|is there a time|what time works|when are you free|when is a good time|when do you have|find) (\w+ ){0,4}(time|minutes|a sec|a second|a few|\d+|we could|that works|to meet|to talk|to chat|free)\b/, 0.75],
  ['invite', /\b(i'll|i will|i'm going to|going to|let me|i can) (send|put|throw|add|set up|book)\b.{0,30}\b(invite|calendar|meeting|call|zoom|time)\b|\b(sending|sent|send) (over |out |you |everyone )*(an? |the )?(calendar |meeting )?invites?\b|\binvite (sent|coming|to follow)|\binvites coming\b|\bsend me (an|the) invite\b|\b(putting|setting up|scheduling) (a |an |some )?(\d+ ?min(ute)?s? )?(block|time|meeting|call|zoom|huddle|kick ?off)\b|\bon (the|your|everyone's) calendar\b/, 0.85],
  ['talk_live', /\b(talk|discuss|chat|meet|hash this out|go over|walk through|catch up|debug)\b.{0,25}\b(live|in person|face to face|f2f|on (a|the) (call|phone|zoom|huddle)|over (zoom|the phone|a call|video|coffee)|in a room|together)\b|\b(talk|discuss) (this|it)? ?(live|through)\b|\bget (everyone|us) in a room\b|\btake (this|it) (offline|to a call)\b/, 0.85],
  ['call_you', /\b(call|ring|dial|phone|facetime) (you|me|us)\b|\bgive (you|me) a (call|ring)\b|\bcan i call\b|\bwant me to (call|dial)\b/, 0.85],
  ['join_now', /\b(join|jump in|hop in|jump on|hop on|dial in|dialing in|join me)\b.{0,20}\b(here|now|link|bridge|zoom|meet|call|huddle|in \d+|for \d+|at \d+)\b|\bjoin (here|now|me|us)\b|\bstarting (a|the) (huddle|call|zoom|meeting)\b|\bstarting in \d/, 0.8],
  ['talk_ask', /\b(can|could|shall) we (talk|meet|chat|catch up|get together|discuss this (live|quickly))\b(?! (about it )?(in|here|async|in the))/, 0.8],
  ['hop_on', /\b(hop|jump|get|be) on (a |the |an )?(quick |short |brief |fast )?(call|zoom|huddle|meet|phone|bridge|teams|screenshare|video)\b|^hop on\b/, 0.85],
  ['time_to_talk', /\b(set up|grab|find|book|block|get|schedule|carve out|have|put) (some |a few |\d+ |half an hour|an hour|a )?(time|minutes|hour|slot)\b.{0,25}\b(to|for) (talk|discuss|align|chat|go over|walk through|review|sync|meet|catch up|this)\b/, 0.85],
  ['when_to_meet', /\b(what time|when|which day)\b.{0,15}\b(works|would work|is good|suits|are you free|do you have time)\b.{0,25}\b(call|meet|meeting|sync|chat|talk|zoom)\b|\b(what time|when)\b.{0,10}\b(works|suits) (for|to) (a |an )?(call|meeting|sync|chat|zoom)\b/, 0.8],
  ['needs_a_meeting', /\b(needs|need|deserves|warrants|calls for|worth) (a|an) (quick |short |proper |real |\d+ ?minutes? )?(call|meeting|sync|huddle|conversation)\b|\ba (quick |short |\d+ ?minutes? )?(call|meeting|huddle) would (save|help|be faster|be easier)\b/, 0.8],
  ['free_to_talk', /\bfree (to|for) (talk|chat|a call|call|a chat|meet|sync|hop|jump)\b/, 0.85],
  ['coffee_chat', /\b(grab|get) (a )?(coffee|lunch|a drink|tea|a coffee)\b.{0,20}\b(talk|chat|discuss|catch up|go over)\b/, 0.8],
  ['meet_time', /\bmeet (tomorrow|today|later|this (morning|afternoon|week)|at \d|on (mon|tue|wed|thu|fri)|in person|up|after)\b/, 0.8],
];

const QUICK_ASK = /\b(quick|short|brief|fast|15|30|10|5) (minutes? )?(call|sync|chat|zoom|huddle|meeting|catch up)\b/;
GATE.add([MEETING_NOUN, ...OTHER_SENSES, ...BLOCKERS.map(([, re]) => re), ...PROPOSALS.map(([, re]) => re), QUICK_ASK]);

const TIME_WORD = /\b(today|tomorrow|tonight|later|now|asap|this (morning|afternoon|evening|week)|next week|in \d+|at \d+|\d+ ?(am|pm)|\d+:\d\d|mon(day)?|tue(sday)?|wed(nesday)?|thu(rsday)?|fri(day)?|before|after)\b/;

function meetingScore(p: Prepared, signals: string[]): number {
  let text = ` ${p.text} `;
  // p.candidates come from a scan of this text; one that an other-sense pattern changes is scanned again.
  let found = p.candidates;
  for (const re of OTHER_SENSES) {
    if (!found.may(re)) continue;
    const cut = text.replace(re, ' ~ ');
    if (cut !== text) (text = cut), (found = GATE.scan(text));
  }
  const video = p.hosts.some((h) => VIDEO_HOSTS.test(h));
  if (video) signals.push('video_link');
  const hasNoun = found.may(MEETING_NOUN) && MEETING_NOUN.test(text);
  // A part of the scanned text: what cannot match the whole cannot match the part.
  const trimmed = text.trim();
  const fired = PROPOSALS.filter(([, re]) => found.may(re) && re.test(trimmed));
  if (!hasNoun && !video && fired.length === 0) return 0;

  for (const [name, re] of BLOCKERS) {
    if ((found.may(re) && re.test(trimmed)) || (p.candidates.may(re) && re.test(p.text))) {
      signals.push(name);
      return 0.1;
    }
  }
  let score = 0;
  for (const [name, , weight] of fired) {
    signals.push(name);
    score = Math.max(score, weight);
  }
  const words = text.trim().split(' ').filter((w) => w !== '' && w !== '~');
  const whStart = /^(who|what|why|how|which|where|whose)\b/.test(text.trim());
  const asks = /\?\s*$/.test(p.text) || /\?/.test(p.text);
  // Very short messages: "call?", "zoom in 10?", "sync tomorrow?", "quick call?"
  if (hasNoun && !whStart && words.length <= 6 && (asks || TIME_WORD.test(text)) && !/^(the|our|my|your|this|that|a) /.test(text.trim())) {
    signals.push('short_ask');
    score = Math.max(score, 0.8);
  }
  if (hasNoun && asks && found.may(QUICK_ASK) && QUICK_ASK.test(text)) {
    signals.push('quick_meeting_ask');
    score = Math.max(score, 0.85);
  }
  if (video && score < RULE_MEETING_THRESHOLD) {
    const invite = /\b(join|jump|hop|here|now|starting|in \d|bridge|meeting|call)\b/.test(text);
    score = Math.max(score, invite ? 0.75 : 0.5);
  }
  return score;
}

// ---------- "where is…?" ----------

const RESOURCE = String.raw`(?:docs?|documents?|documentation|links?|urls?|decks?|slides?|sheets?|spreadsheets?|files?|folders?|drives?|pages?|wiki|notion|confluence|runbooks?|playbooks?|specs?|specification|templates?|guide|guidelines|policy|policies|handbook|checklist|dashboards?|board|repo|repository|recordings?|notes|meeting minutes|board minutes|reports?|contracts?|drafts?|diagrams?|figma|mockups?|designs?|design files|credentials|creds|keys|config|configuration|source|source files|calendar|scorecards?|results|survey|tracker|presentation|logos?|svg|icons?|assets|collection|portal|numbers|data|plans?|roadmap|faq|msa|ndas?|evidence|module|schedule|tickets?|issue|thread|article|video|pdf|forms?|invoice|payslips|org chart|okrs?|components|floor plan|copy|write-?up|postmortem|retro doc|readme|sop|process|procedure|questionnaire|proposal|agenda|list|jira|github issue|ticket number|api key|password|onboarding|benefits|expense|vpn|staging creds|status page|the \w+ (doc|sheet|deck|page|link|file))`;
const RESOURCE_START = new RegExp(String.raw`^(the |a |any |our |@someone )?(\w+ )?${RESOURCE}\b`);

const WHERE_NOT: RegExp[] = [
  /\bwhere (are|is) we (on|with|at)\b/,
  /\bwhere is everyone\b/,
  /\bwhere (should|shall|do|can) we (go|eat|meet|have)\b/,
  /\bwhere (is|does|did|do) (the|this|that|these) (bug|error|errors|exception|crash|issue|problem|leak|slowdown|latency|regression|extra|delay)\b/,
  /\bwhere (is|was) (this|that|it) (thrown|coming|raised|called)\b/,
  /\bcoming from\b/,
  /\bwhere do you see\b/,
  /\bwhere is the fun\b/,
];

const WHERE_PATTERNS: Array<[string, RegExp]> = [
  ['where_find', /\bwhere (is|are|was|were|did|do|does|can|could|should|would|'s|will)\b.{0,60}\b(find|kept|keep|store|stored|live|lives|put|go|went|end up|documented|written|posted|configured|look|see|access|download|get|track|tracked|log|logged|file|filed|save|saved|upload|uploaded)\b/],
  ['where_resource', new RegExp(String.raw`\bwhere (is|are|was|were|did|do|does|can|could|should)\b.{0,50}\b${RESOURCE}\b`)],
  ['who_has', new RegExp(String.raw`\b(anyone|anybody|someone|somebody|who|has anyone|does anyone|does anybody|does someone|do you|you) (have|has|got|know|knows|seen|owns)\b.{0,40}\b${RESOURCE}\b`)],
  ['knows_where', /\b(know|knows|idea|remind me|tell me) where\b/],
  ['where_latest', /\bwhere (is|are|was) (the|our|that|this) (latest|current|newest|final|updated|new|old|original|most recent)\b/],
  ['find_ask', /\b(can|could) (anyone|someone|somebody|you|anybody) find\b/],
  ['where_it', new RegExp(String.raw`\b${RESOURCE}\b.{0,60}\bwhere (is|are|did) (it|they|that|those)\b`)],
  ['location_choice', new RegExp(String.raw`\b(is|are) (the|our)\b.{0,30}\b${RESOURCE}\b.{0,10}\b(in|on) (the )?(repo|drive|notion|confluence|miro|figma|wiki|folder|shared drive|google drive|dropbox)\b`)],
  ['share_link', /\b(share|send|drop|paste|post|point me to|point me at)\b.{0,25}\b(link|url|copy|doc|sheet|deck|slides|file)\b|\bpoint me (to|at)\b/],
  ['link_to', new RegExp(String.raw`\b(link|url|links) (to|for|of)\b.{0,40}(\?|${RESOURCE})|^(the )?(link|url)s? (to|for)\b|\bgot a link\b|\bneed the (link|url)\b|\blink please\b|^link\?`)],
  ['what_link', /\bwhat (is|was) the (link|url|name of the doc|name of the|ticket number)\b|\bwhat is the (link|url) (for|of|to)\b/],
  ['is_there', new RegExp(String.raw`\b(is there|are there|do we have|have we got|does it exist|is it (written|documented)|is the \w+( \w+)? (documented|written up|written down|anywhere|somewhere|in the repo))\b.{0,40}\b(${RESOURCE}|anywhere|somewhere|single place|a place)\b|\b(anywhere|somewhere)\?`)],
  ['cant_find', new RegExp(String.raw`\b(can't|cannot|can not|couldn't|could not|unable to) (seem to )?find\b.{0,40}\b${RESOURCE}\b|\bcan't find (it|them)\b`)],
  ['looking_for', new RegExp(String.raw`\blooking for (the|a|our|that)\b.{0,30}\b${RESOURCE}\b`)],
  ['which_place', /\b(which|in which|what) (folder|drive|repo|repository|channel|page|space|notion space|confluence page|thread|board|doc|sheet|tab|wiki|site|directory|bucket)\b/],
  ['moved', new RegExp(String.raw`\b(did someone|did anyone|has someone|who) (move|moved|delete|deleted|rename|renamed)\b.{0,30}\b${RESOURCE}\b`)],
  ['seen_it', new RegExp(String.raw`\bhas anyone seen\b.{0,30}\b${RESOURCE}\b|\bhas the\b.{0,30}\b${RESOURCE}\b.{0,20}\b(shared|posted|sent)\b`)],
];

/** Statements that give the answer, not ask for it. */
const ANSWER_GIVEN = /\b(here is|here's|here you go|found it|nvm|never mind|is here|is in|lives in|is pinned|i put|i moved|i updated|added the|see the|check the|is linked|are in the)\b/;
GATE.add([...WHERE_NOT, ANSWER_GIVEN, ...WHERE_PATTERNS.map(([, re]) => re)]);

function whereIs(p: Prepared, question: boolean, signals: string[]): boolean {
  const { text, candidates: found } = p;
  if (WHERE_NOT.some((re) => found.may(re) && re.test(text))) {
    if (/\bwhere\b/.test(text)) signals.push('where_not_a_place');
    return false;
  }
  if (!question && found.may(ANSWER_GIVEN) && ANSWER_GIVEN.test(text)) return false;
  let hit = false;
  for (const [name, re] of WHERE_PATTERNS) {
    if (found.may(re) && re.test(text)) {
      signals.push(name);
      hit = true;
    }
  }
  // "runbook?", "onboarding doc?", "slides?"
  const words = text.replace(/[?!.]+$/, '').split(' ');
  if (!hit && question && words.length <= 6 && RESOURCE_START.test(text) && !/\b(is|are|do|does|did|can|should|could|would|will)\b/.test(text)) {
    signals.push('short_resource_ask');
    hit = true;
  }
  // Asking, or saying one cannot find something.
  return hit && (question || signals.includes('cant_find') || signals.includes('looking_for') || signals.includes('share_link'));
}

// ---------- questions ----------

const INTERROGATIVE = /^(what|why|how|when|where|who|whom|whose|which|can|could|would|should|shall|is|are|am|do|does|did|will|was|were|has|have|any|anyone|anybody|may|might|want to|is there|are there)\b(?!'t|n't)/;

function isQuestion(p: Prepared): boolean {
  const t = p.text.replace(/(\s*(:[a-z0-9_+-]+:|[\p{Extended_Pictographic}\u{FE0F}\u{200D}]))+\s*$/u, '').trim();
  if (t === '') return false;
  if (/\?\s*(\)|")?$/.test(t) || /\?\s+\S{0,12}$/.test(t)) return true;
  const firstSentence = t.replace(/^(@someone|@here|@channel|#[\w-]+|hey|hi|hello|ok|so|also|quick q:?)[,!:\s]*/g, '').trim();
  return INTERROGATIVE.test(firstSentence) && firstSentence.split(' ').length >= 3 && !/^(can't|cannot|won't|isn't|don't|doesn't|didn't)\b/.test(firstSentence);
}

/** Classifies one message by the rules alone (score 0.6 and above is a meeting request). */
export function classifyByRules(raw: string): Classification {
  return classifyPrepared(prepare(raw));
}

/** The rules on a message already prepared (prepare()). */
export function classifyPrepared(p: Prepared): Classification {
  const signals = [...p.signals];
  const question = isQuestion(p);
  if (question) signals.push('question');
  const score = Math.round(meetingScore(p, signals) * 100) / 100;
  const meeting = score >= RULE_MEETING_THRESHOLD;
  const where = whereIs(p, question, signals);
  return { meeting_request: meeting, where_is: where, question, score, signals };
}
