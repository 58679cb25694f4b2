/** The settings a request takes, as the panel holds them. */
export interface Settings {
  transport: string;
  /** Unset for the model's default. */
  temperature?: number;
  /** Unset for the model's default. */
  maxTokens?: number;
  system: string;
}

/** The settings panel: transport, temperature, max tokens and the system prompt, opened by its toggle. */
export class SettingsPanel {
  private readonly form: HTMLFormElement;
  private readonly toggle: HTMLButtonElement;

  constructor(form: HTMLFormElement, toggle: HTMLButtonElement) {
    this.form = form;
    this.toggle = toggle;
    toggle.addEventListener("click", () => this.show(form.hidden));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.show(false);
    });
    // Like a menu, the panel closes on Escape and on a click elsewhere.
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.show(false);
    });
    document.addEventListener("click", (event) => {
      const target = event.target as Node;
      if (!form.hidden && !form.contains(target) && !toggle.contains(target)) this.show(false);
    });
  }

  show(open: boolean): void {
    this.form.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
  }

  /** False, with the panel open on the faulty field, when a setting is out of range. */
  check(): boolean {
    if (this.form.checkValidity()) return true;
    this.show(true);
    this.form.reportValidity();
    return false;
  }

  read(): Settings {
    const value = (name: string) => (this.form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;
    const number = (name: string) => (value(name) === "" ? undefined : Number(value(name)));
    return { transport: value("transport"), temperature: number("temperature"), maxTokens: number("max-tokens"), system: value("system") };
  }
}
