import { parseCharter, type Charter, type CharterInput } from '../../src/domain/charter';

/** A valid charter from a partial one (defaults filled); throws on a mistake in the test itself. */
export function makeCharter(input: CharterInput = {}): Charter {
  const r = parseCharter(input);
  if (!r.ok) throw new Error(`test charter is invalid: ${JSON.stringify(r.problems)}`);
  return r.charter;
}
