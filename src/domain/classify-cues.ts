import { GATE } from './classify-rules';
import type { Candidates } from './literal-gate';
/**
 * Cues: broad, hand-written patterns over prepared text (see prepare()) that the learned model
 * weighs as features (r:cue:<name>). Unlike the rules they decide nothing alone and may be loose:
 * each names a way people ask for synchronous time or for a thing's location without the usual
 * words, or a sign that they are not asking (a past meeting, an answer, code). Pure.
 */

const TIME_ASK = String.raw`(?:\d+|a|one|two|five|ten|fifteen|twenty|thirty|few|couple of|half an)\s*(?:-\s*)?(?:min|mins|minute|minutes|hour|hours|sec|secs|second|seconds|moment|moments)`;
const SYNC_VERB = String.raw`(?:talk|talking|chat|chatting|discuss|go|going|walk|walking|run|running|hash|work|working|think|thinking|sort|sorting|figure|figuring|review|reviewing|debug|debugging|explain|look|looking|show|showing)`;
const TOOL = String.raw`(?:zoom|teams|google meet|gmeet|meet|webex|huddle|facetime|face time|whatsapp|skype|discord|tuple|around|gather|jitsi|bluejeans|goto meeting|ringcentral|chime|lark|whereby|pop|slack call|vc|video|voice|phone)`;
const THING = String.raw`(?:docs?|documents?|documentation|links?|urls?|decks?|slides?|sheets?|spreadsheets?|excel|files?|folders?|pdfs?|copy|copies|version|template|templates|runbooks?|playbooks?|specs?|prd|brd|sow|contracts?|invoices?|receipts?|reports?|dashboards?|recordings?|transcripts?|notes|minutes|agenda|pre-?reads?|photos|pics|images|logos?|assets|designs?|mockups?|figma|drawings|plans?|policy|policies|handbook|guide|checklist|form|forms|list|rota|schedule|calendar|credentials|creds|passwords?|keys|logins?|config|notebook|query|export|backup|archive|screenshots?|video|videos|page|wiki|site|portal|tool|repo|board|tracker|matrix|library|collection)`;

export const CUES: ReadonlyArray<readonly [string, RegExp]> = [
  // Asking for synchronous time.
  ['live', new RegExp(String.raw`\b${SYNC_VERB}\b.{0,30}\b(live|together|in person|in-person|face[- ]to[- ]face|f2f|verbally|by voice|in real time|synchronously|on (a |the )?(call|video|phone|screen ?share))\b`)],
  ['face_to_face', /\b(face[- ]to[- ]face|f2f|in person|in-person|face time|facetime|one to one|1-1|1-on-1|1 on 1|1:1)\b/],
  ['screen_share', /\b(share|sharing) (your|my|the|a) screen\b|\bscreen ?-?shar(e|ing)\b|\bscreenshare\b/],
  ['screen_share_ask', /\b(can|could|would|will|mind|pls|please)\b.{0,12}\bshar(e|ing) (your|ur|the|a) screen\b|^(@someone )?(pls |please )?share (your|ur) screen\b|\b(do|have) a (quick )?screen ?-?share\b/],
  ['time_ask', new RegExp(String.raw`\b(borrow|steal|spare|grab|have|got|get|give me|need|find|block|book|carve out|set aside|make)\b.{0,20}\b${TIME_ASK}\b`)],
  ['short_time_q', /^(@someone |hey |hi )?(you )?(got|have|any|do you have|have you got)( a| an)? (sec|second|min|minute|moment|few|\d+)\b/],
  ['session', /\b(working|work|pairing|pair|debug|debugging|brainstorm|brainstorming|whiteboard|whiteboarding|planning|alignment|jam|training|synthesis|kt|knowledge transfer|mentoring|practice|q&a|listening|dry run|design|review|handover|handoff|intro|discovery|feedback|kickoff|kick-off|strategy) (session|sessions|sesh|call|chat)\b|\boffice hours\b|\bwar room\b|\bbug bash\b|\bmob(bing)? (on|programming)\b|\bpair (on|with|program)\b|\bcrit\b|\bwalk-?throughs?\b|\bdeep dive\b|\bdry run\b|\bdebrief\b|\bcheck-?in\b|\bcatch-?up\b|\btouch base\b|\bone-?on-?one\b/],
  ['to_sync_venue', new RegExp(String.raw`\b(take|move|bring|continue|switch|do|have|handle)\b.{0,20}\b(to|into|in|over|as|on|via) (a |an |the )?(quick )?(huddle|call|zoom|meeting|video|voice|phone|room|teams|meet|conversation|sync)\b`)],
  ['instead_of_async', /\binstead of (async|asynchronously|the doc|writing|email|slack|comments|a thread|the thread|typing|text)\b|\brather than (typ|writ|comment|text|async|slack|email)/],
  ['availability', /\b(availability|available|free|around|time|slot|slots|diary|calendar|a good time|what time|when works|when's good|when are you)\b.{0,30}\b(call|chat|talk|meet|meeting|sync|discussion|discuss|catch ?up|connect|1:1|walk ?through|go over|go through|review|run through)\b/],
  ['tool', new RegExp(String.raw`\b${TOOL}\b`)],
  ['tool_time', new RegExp(String.raw`\b${TOOL}\b.{0,15}(\?|\b(now|today|tomorrow|later|in \d|at \d|\d ?(am|pm)|this (morning|afternoon)|tonight)\b)`)],
  ['desk_visit', /\b(swing|pop|come|drop|stop|head) (by|over|round|into)\b|\b(my|your) (desk|office|cabin)\b|\bgrab a room\b|\bin a room\b|\bbook (a|the) room\b/],
  ['talk_ask', /\b(can|could|shall|should|may|might) (we|i|you and i|the \w+ of us)( please)? (talk|speak|chat|connect|meet|have a word|have a chat|catch up|get together|sit down|go through|go over|walk through)\b/],
  ['call_verb', /\b(call|ring|phone|dial|facetime|buzz|bell) (me|you|us|him|her)\b|\b(give|gimme) (me|you|us) a (call|ring|buzz|bell)\b/],
  ['invite_send', /\b(send|sending|sent|drop|dropping|put|putting|add|adding|booking|book|schedule|scheduling|set up|setting up) (you |everyone |us |over |out )?(an? |the |some )?(invite|invites|calendar invite|meeting invite|placeholder|hold|slot|link)\b/],
  ['meet_up', /\b(meet|get together|sit down|meet up|catch up|connect|touch base|sync up|huddle|pair|talk)\b.{0,20}\b(today|tomorrow|tonight|later|this (week|morning|afternoon)|next (week|mon|tue|wed|thu|fri)|on (mon|tue|wed|thu|fri)|at \d|\d ?(am|pm))\b/],
  // Not asking for one.
  ['past', /\b(yesterday|earlier|last (week|time|night|month|sprint)|this morning's|yesterday's|went (well|fine|long|over)|was (great|good|useful|productive|rough|recorded)|had (a|the|our)|did (a|the)|got off|just off|came out of|coming out of|after (the|our|my) (call|meeting|sync|session|huddle)|thanks for (the|jumping|making|walking|joining)|recap|summary|outcome|notes from|recording of)\b/],
  ['async_venue', /\b(async|asynchronously|in writing|written|loom|voice (note|memo)|by email|over email|the doc|in the thread|the comments|in comments|a memo|write (it|this|them) (up|down))\b/],
  ['no_need', /\b(no need|don't need|do not need|doesn't need|not necessary|unnecessary|overkill|skip|cancel|cancelled|canceled|can't make|cannot make|won't make|decline|declined|avoid)\b/],
  ['status', /\b(i'm|i am|im|currently|still|just) (in|on|jumped into|stepping into|sitting in|presenting) (a |the |my )?(call|meeting|meetings|huddle|interview|1:1|review|back-to-backs)\b|\bback-to-backs?\b|\bout of office\b|\booo\b/],
  ['other_sense', /\b(api|function|method|webhook|sdk|rpc|cold|sales|support|judgement|judgment|tough|good|your|my) calls?\b|\bcall(ed|ing)? (the|a|my|our) (bank|courier|venue|caterer|landlord|supplier|vendor|hotel|printer|printers|insurance|doctor|dentist|school)\b|\bzoom (in|out)\b|\b(data|calendar|file|git) sync\b|\bgo[- ]live\b|\bis (it )?live\b|\bsession (token|cookie|replay|timeout)s?\b|\bmeet (the|our|its) (deadline|bar|sla|target|targets|requirements)\b|\bon-?call\b/],
  // Asking where a thing is.
  ['saved_anywhere', /\b(saved|stored|kept|filed|uploaded|posted|shared|written|written down|written up|documented|recorded|archived|linked|published|put|listed|somewhere)\b.{0,20}\b(anywhere|somewhere)\b|\b(anywhere|somewhere)( (central|shared|i can|we can|else))?\s*\?/],
  ['anyone_have', new RegExp(String.raw`\b(anyone|anybody|any1|someone|somebody|you|u|who|whoever|one of you)( still| happen to| by chance)? (have|has|got|hav|keeps|owns)\b.{0,40}\b${THING}\b`)],
  ['send_me', new RegExp(String.raw`\b(send|share|drop|paste|post|forward|resend|repost|re-share|reshare|pin|dig (up|out)|point me (to|at)|give me)\b.{0,30}\b${THING}\b`)],
  ['link_please', /\b(link|links|url)\b.{0,25}(\?|\b(please|pls|plz|asap)\b)|^(the )?(link|url)s?\b|\b(got|have|need|want) (a |the )?(link|url)\b/],
  ['which_container', /\b(which|what|in which|what's the|whats the)\b.{0,12}\b(folder|drive|channel|group|team|repo|space|page|tab|bucket|vault|file|doc|sheet|deck|report|dashboard|notebook|thread|email|binder|album|portal|tool|link|url|path|address|version)\b/],
  ['central_place', /\b(central|single|one|canonical|official|master|index|hub)\b.{0,15}\b(place|location|repository|repo|source|page|list|sheet|copy|hub|doc|folder|truth)\b/],
  ['how_find', /\bhow (do|can|would|should|could) (i|we|you|one|someone)\b.{0,15}\b(find|get to|get hold of|access|locate|look up|download|view|see|dig up)\b/],
  ['where_put', /\bwhere('d|'s| did| do| does| should| have| has| would| will)? (you|we|they|he|she|someone|u|it|that|those|the \w+)\b.{0,15}\b(put|save|saved|store|stored|keep|kept|move|moved|leave|left|upload|uploaded|go|went|end up|ended up|live|lives)\b/],
  ['cant_find', /\b(can't|cant|cannot|couldn't|could not|unable to|can not|no luck|nowhere)\b.{0,20}\b(find|locate|see|access|to be found|finding)\b|\b(vanished|disappeared|gone missing|is missing|are missing|404s?|dead link|link is dead|link doesn't work|link expired)\b/],
  ['looking_for', /\b(looking for|searching for|hunting for|trying to (find|track down|locate|dig up)|chasing|i'm after|need to find|need to get hold of)\b/],
  ['thing', new RegExp(String.raw`\b${THING}\b`)],
  ['answer_given', /\b(here's|here is|here you go|here are|is in the|are in the|is on the|lives in|is at|found it|nvm|never mind|is pinned|i (put|moved|saved|uploaded|added|linked|shared|sent|emailed|dropped|posted)|check (the |your )?(pinned|channel|thread|topic|bookmarks|drive|folder|wiki|inbox|dms?|email)|see (the )?(pinned|channel topic|bookmarks|thread above)|scroll up|attached|attaching)\b/],
  ['code_where', /\bwhere\b.{0,40}\b(called|thrown|coming from|come from|comes from|crash|crashes|defined|enforced|happen|happens|persisted|bottleneck|leak|null)\b|\bwhere (clause|filter)\b|\bselect\b.{0,40}\bwhere\b/],
  ['status_where', /\bwhere (are|is|do|did) (we|things|you|u|this|it)( at| on| with| stand| going| land| leave)\b|\bwhere do we go\b|\bwhere do you stand\b/],
  ['place_where', /\bwhere\b.{0,30}\b(dinner|lunch|party|offsite|hike|drinks|restaurant|cafe|office|hotel|conference|park|parking|sitting|based|from|staying|travelling|traveling|meet|meeting|going)\b/],
];

GATE.add(CUES.map(([, re]) => re));

/** The names of the cues a prepared text shows, prefixed "cue:" (`found`: a scan of it, or of a text holding it). */
export function cuesOf(text: string, found: Candidates = GATE.scan(text)): string[] {
  const out: string[] = [];
  for (const [name, re] of CUES) if (found.may(re) && re.test(text)) out.push(`cue:${name}`);
  return out;
}
