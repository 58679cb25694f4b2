import type { ModelOffer } from "./chat-client.ts";

// The option that reveals a text field for a model name the list does not hold.
const other = "(other)";

/** The model picker: a list filled from the server's offer, with its default selected. */
export class ModelPicker {
  private readonly select: HTMLSelectElement;
  private readonly custom: HTMLInputElement;

  constructor(select: HTMLSelectElement, custom: HTMLInputElement) {
    this.select = select;
    this.custom = custom;
    select.addEventListener("change", () => {
      custom.hidden = select.value !== other;
      if (!custom.hidden) custom.focus();
    });
  }

  fill(offer: ModelOffer): void {
    const names = [...offer.models];
    if (offer.defaultModel && !names.includes(offer.defaultModel)) names.unshift(offer.defaultModel);
    const options = names.map((name) => new Option(name, name));
    if (names.length === 0) options.push(new Option("Server default", ""));
    if (offer.acceptsAnyModel) options.push(new Option("Other model…", other));
    this.select.replaceChildren(...options);
    this.select.value = offer.defaultModel;
    this.custom.hidden = true;
  }

  /** The model to ask for; empty for the server's default. */
  get model(): string {
    return this.select.value === other ? this.custom.value.trim() : this.select.value;
  }
}
