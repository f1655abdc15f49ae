/**
 * The state.values Slack sends with a view_submission when the person changed nothing: each
 * input block's element with its initial value, in the shape Slack uses per element type
 * (selected_option, selected_options, selected_time, value, selected_conversations, …).
 * Tests then change single fields, as a person would.
 */
type Element = { type: string; action_id: string; [k: string]: unknown };
type Block = { type: string; block_id?: string; element?: Element };
export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

export function initialState(view: { blocks: unknown[] }): StateValues {
  const out: StateValues = {};
  for (const b of view.blocks as Block[]) {
    if (b.type !== 'input' || b.block_id === undefined || b.element === undefined) continue;
    out[b.block_id] = { [b.element.action_id]: elementState(b.element) };
  }
  return out;
}

function elementState(e: Element): Record<string, unknown> {
  switch (e.type) {
    case 'plain_text_input':
    case 'number_input':
    case 'url_text_input':
      return { type: e.type, value: (e.initial_value as string | undefined) ?? null };
    case 'checkboxes':
      return { type: e.type, selected_options: (e.initial_options as unknown[] | undefined) ?? [] };
    case 'static_select':
    case 'external_select':
      return { type: e.type, selected_option: (e.initial_option as unknown) ?? null };
    case 'timepicker':
      return { type: e.type, selected_time: (e.initial_time as string | undefined) ?? null };
    case 'datepicker':
      return { type: e.type, selected_date: (e.initial_date as string | undefined) ?? null };
    case 'conversations_select':
      return { type: e.type, selected_conversation: (e.initial_conversation as string | undefined) ?? null };
    case 'multi_conversations_select':
      return { type: e.type, selected_conversations: (e.initial_conversations as string[] | undefined) ?? [] };
    case 'multi_users_select':
      return { type: e.type, selected_users: (e.initial_users as string[] | undefined) ?? [] };
    default:
      throw new Error(`initialState: no state shape for element type ${e.type}`);
  }
}

/** Sets one block's element state (merging into what is there). */
export function setField(state: StateValues, blockId: string, value: Record<string, unknown>, actionId = 'v'): StateValues {
  const prev = state[blockId]?.[actionId] ?? {};
  return { ...state, [blockId]: { [actionId]: { ...prev, ...value } } };
}
