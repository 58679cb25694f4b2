/** Copies text, and says so on the button for a moment. */
export async function copyWithFeedback(button: HTMLButtonElement, text: string): Promise<void> {
  const label = button.dataset.label ?? (button.dataset.label = button.textContent ?? "");
  button.textContent = (await copyText(text)) ? "Copied" : "Copy failed";
  setTimeout(() => (button.textContent = label), 1500);
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The Clipboard API exists only in secure contexts: a page served over plain http from another host has not got it.
    const area = Object.assign(document.createElement("textarea"), { value: text });
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}
