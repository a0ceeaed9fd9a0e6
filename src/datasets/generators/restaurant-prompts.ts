/**
 * GoodAI's Restaurant prompts, verbatim (GoodAI/goodai-ltm-benchmark datasets/restaurant.py at
 * 188e761, MIT): Python format strings, `{{`/`}}` for a brace, filled by `pyFormat`.
 */
export const EXTRACT_ITEMS_PROMPT =
  "This is a conversation between a diner and a waiter:\n\n```text\n{conversation}\n```\n\nThis is what the menu looks like:\n\n```text\n{menu}\n```\n\nRead carefully the diner's final response only, note what has been newly ordered and not mentioned before, and fill in this JSON form:\n{{\n  \"has_ordered_something\": true or false,\n  \"order\": [\n    {{\n      \"is_drink\": true or false,\n      \"item\": \"ordered item\",\n      \"menu_nr\": (int or null) item number in menu,\n      \"menu_ref\": \"verbatim name as it appears in the menu\",\n      \"off_menu\": true if the item is not in the menu or alters the dish\n    }},\n    ...\n  ]\n}}\n\nShortened forms are not considered alterations of menu dishes. For example: kebabs with vegetables and rice; chicken parmesan with spaguetti.\n\nForms that introduce new elements or mix dishes are considered alterations. For example: grilled chicken club with crispy bacon.";
export const ROLE_EVAL_PROMPT =
  "You are an evaluator in an acting session.\nYou evaluate how well participants perform under a previously agreed setting.\n\nThe current setting is: the participant is a human customer at a restaurant; the waiter has just given them the menu and asked them what they want to drink. The customer is expected to go along the situation and order something to drink. The participant shall not speak for the waiter.\n\nYou must say whether the participant followed the assigned role or not. Respond in JSON form, like this:\n{\"follows_role\": true or false}";
export const NOTICE_MISHAP_PROMPT =
  "You are an assistant in the customer experience department.\nWe have noticed that customers sometimes do not receive the meal that they have ordered.\nYour goal is to discern whether the customer has noticed it or not.\nBeware that some clients will notice it but won't actually complain.\nAnswer in JSON format, like this:\n{\"noticed\": true or false}";
export const DRINK_RECALL_SYSTEM_PROMPT =
  "You must evaluate whether the customer remembers what drinks it ordered before.\nYou will be given the original order, plus a sentence that the customer has just said to the waiter.\n\nAnswer in JSON form, like this:\n{\"recalls\": true or false}";
export const DRINK_RECALL_USER_PROMPT =
  "Original order: {drinks}\nThe customer says now: {message}";

/** Python's `str.format` with named fields: one pass, so a value's own braces are left alone. */
export function pyFormat(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, name: string | undefined) => (m === '{{' ? '{' : m === '}}' ? '}' : (values[name!] ?? m)));
}
