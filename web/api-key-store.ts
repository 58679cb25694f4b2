import { attempt } from "./attempt.ts";

/** Where a kept key lives: this tab only, or this browser until it is forgotten. */
export type KeyScope = "tab" | "browser";

/**
 * The API key the page sends to its server, kept in sessionStorage (this tab)
 * or localStorage (this browser), under the server's URL so that a key goes
 * to no other server. Storage can be missing or refused (a sandboxed frame, a
 * private window): the key is then held for as long as the page is open.
 */
export class ApiKeyStore {
  private readonly name: string;
  private held: string | undefined;
  private readonly onChange: (key: string | undefined) => void;

  /** `onChange` is told when a key is kept or forgotten. */
  constructor(server: string, onChange: (key: string | undefined) => void = () => {}) {
    this.name = `tokenwire.apiKey ${server}`;
    this.onChange = onChange;
    this.held = attempt(() => sessionStorage.getItem(this.name) ?? localStorage.getItem(this.name)) ?? undefined;
  }

  get key(): string | undefined {
    return this.held;
  }

  keep(key: string, scope: KeyScope): void {
    this.drop();
    this.held = key;
    attempt(() => (scope === "browser" ? localStorage : sessionStorage).setItem(this.name, key));
    this.onChange(key);
  }

  /** Forgets the key, in this tab and in the browser. */
  forget(): void {
    this.drop();
    this.onChange(undefined);
  }

  private drop(): void {
    this.held = undefined;
    attempt(() => sessionStorage.removeItem(this.name));
    attempt(() => localStorage.removeItem(this.name));
  }
}
