import type { KeyScope } from "./api-key-store.ts";

/** Why the page asks: it sent no key, or the server refused the one it sent. */
export type KeyReason = "missing" | "refused";

const reasons: Record<KeyReason, string> = {
  missing: "This server needs an API key to answer.",
  refused: "The server did not accept that key. Check it and enter it again.",
};

/** What the reader entered: the key and where to keep it. */
export interface EnteredKey {
  key: string;
  scope: KeyScope;
}

/**
 * The dialog that asks for the server's API key, with why it asks and a box
 * to keep the key for the browser rather than the tab.
 */
export class KeyPrompt {
  private readonly dialog: HTMLDialogElement;
  private readonly form: HTMLFormElement;
  private readonly reason: HTMLElement;
  private pending: Promise<EnteredKey | undefined> | undefined;

  constructor(dialog: HTMLDialogElement) {
    this.dialog = dialog;
    this.form = dialog.querySelector("form")!;
    this.reason = dialog.querySelector(".key-reason")!;
    dialog.querySelector(".key-cancel")!.addEventListener("click", () => dialog.close());
  }

  /** Opens the dialog, saying why it asks; resolves with the key, or undefined when the reader cancels. */
  ask(reason: KeyReason): Promise<EnteredKey | undefined> {
    this.dialog.dataset.reason = reason;
    this.reason.textContent = reasons[reason];
    return (this.pending ??= this.open().finally(() => (this.pending = undefined)));
  }

  private open(): Promise<EnteredKey | undefined> {
    const field = (name: string) => this.form.elements.namedItem(name) as HTMLInputElement;
    // Empty, and not yet shown as invalid: the last key entered was not mistyped here.
    this.form.reset();
    this.dialog.showModal();
    return new Promise((resolve) => {
      const submit = (event: SubmitEvent) => {
        event.preventDefault();
        const key = field("key").value.trim();
        if (!key) return;
        resolve({ key, scope: field("remember").checked ? "browser" : "tab" });
        this.dialog.close();
      };
      this.form.addEventListener("submit", submit);
      // Cancel, Escape and a submit all close the dialog; a promise resolves once, so only the first answer counts.
      this.dialog.addEventListener(
        "close",
        () => {
          this.form.removeEventListener("submit", submit);
          resolve(undefined);
        },
        { once: true },
      );
    });
  }
}
