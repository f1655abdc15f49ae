import { GATE, type Classification } from './classify-rules';
import { analyse } from './classify-features';
import { explain, loadModel, probability, type LoadedModel } from './classify-model';
import modelFile from './classifier-model.json';

/**
 * Meeting-request, "where is…?" and question labels from a message's text. Pure. The
 * meeting-request and "where is…?" labels come from a learned model (logistic regression over
 * word and character n-grams plus the hand-written rules' signals, weights committed in
 * classifier-model.json, `npm run train:classify`); the question label is the rules' own.
 * Signals explain each label: the rules that fired, and for a label that is on, the features
 * that weighed most ("meeting_request:ngram:\"hop on\""). The text is read here and never kept.
 * See docs/classifier.md for what counts as each label.
 */

export type { Classification } from './classify-rules';

const MODEL = loadModel(modelFile);

/** Meeting-request threshold on `score` (chosen on cross-validation for precision >= 0.92). */
export const MEETING_THRESHOLD = MODEL.labels.meeting_request.threshold;
/** "Where is…?" threshold on its probability. */
export const WHERE_IS_THRESHOLD = MODEL.labels.where_is.threshold;

/** Classifies one message with a given model (classify() uses the committed one). */
export function classifyWith(model: LoadedModel, raw: string): Classification & { where_is_score: number } {
  const { rules, features } = analyse(raw, model.bits);
  const m = model.labels.meeting_request;
  const w = model.labels.where_is;
  const score = Math.round(probability(m, features) * 1000) / 1000;
  const whereScore = Math.round(probability(w, features) * 1000) / 1000;
  const meeting = score >= m.threshold;
  const where = whereScore >= w.threshold;
  const signals = [...rules.signals];
  if (meeting) signals.push(...explain(m, features).map((s) => `meeting_request:${s}`));
  if (where) signals.push(...explain(w, features).map((s) => `where_is:${s}`));
  return { meeting_request: meeting, where_is: where, question: rules.question, score, signals, where_is_score: whereScore };
}

/** Classifies one message: `score` is the meeting-request confidence (0..1, a request at or above MEETING_THRESHOLD). */
export function classify(raw: string): Classification {
  const { where_is_score: _w, ...c } = classifyWith(MODEL, raw);
  return c;
}

/** Texts that take every path of the classifier: markup, code, quotes, links, each label and its blockers. */
const WARM_TEXTS = [
  'can we hop on a quick call?',
  '<@U0ABCDEF|ann> could we schedule a 30 min zoom tomorrow at 3pm to go over the deck?',
  "no need for a call, I wrote it up below: https://example.com/doc",
  'where is the onboarding doc? I cant find it anywhere',
  'anyone have the link to the Q3 roadmap slides?',
  '> can we sync?\nsure, see the thread',
  '```\nclient.call("users.info")\n```\nthe api call fails, why?',
  ':telephone_receiver: jump in here <https://meet.google.com/abc-defg-hij|meet> &amp; bring notes',
  'thanks for the great meeting yesterday, notes are in the doc',
  'lorem ipsum dolor sit amet',
  'what time works for a 1:1 next week?',
  'it’s “fine”, lets sync tmrw 🙏',
];

/**
 * Runs the classifier over texts that take each of its paths, twice, and each of its gated
 * patterns twice (most texts skip most of them): Node compiles a regular expression when it first
 * runs, and compiles it again to machine code when it runs again; together ~200 ms, which would
 * otherwise fall on the first messages after a start (a stall every acknowledgement in flight
 * waits for). Builds the gate's automaton too. Returns how many of the texts got each label.
 */
export function warmClassifier(): { meeting_request: number; where_is: number; question: number } {
  const seen = { meeting_request: 0, where_is: 0, question: 0 };
  for (const re of GATE.patterns()) {
    for (let round = 0; round < 2; round += 1) {
      re.lastIndex = 0;
      re.test(WARM_TEXTS[1] as string);
    }
    re.lastIndex = 0;
  }
  for (let round = 0; round < 2; round += 1) {
    for (const text of WARM_TEXTS) {
      const c = classify(text);
      if (round > 0) continue;
      if (c.meeting_request) seen.meeting_request += 1;
      if (c.where_is) seen.where_is += 1;
      if (c.question) seen.question += 1;
    }
  }
  return seen;
}
