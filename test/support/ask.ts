/** A `StreamTokens` request, or a `Generate` one, that says "hi" to `model`; resumable when asked. */
export function ask(model = "gpt-test", resumable = false) {
  return { generation: { model, input: { case: "prompt" as const, value: "hi" } }, resumable };
}
