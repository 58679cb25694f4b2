// The chat page's script: a conversation streamed from tokenwire.v1.TokenService over Connect or gRPC-Web.
import { ApiKeyStore } from "./api-key-store.ts";
import { modelOffer, serverUrl, tokenClient } from "./chat-client.ts";
import { Chat } from "./chat.ts";
import { copyWithFeedback } from "./clipboard.ts";
import { byId } from "./dom.ts";
import { FollowScroll } from "./follow-scroll.ts";
import { KeyPrompt } from "./key-prompt.ts";
import { ModelPicker } from "./model-picker.ts";
import { SettingsPanel } from "./settings-panel.ts";
import { unreachableError } from "./unreachable-error.ts";

const composer = byId<HTMLFormElement>("composer");
const prompt = byId<HTMLTextAreaElement>("prompt");
const send = byId<HTMLButtonElement>("send");
const stop = byId<HTMLButtonElement>("stop");
const log = byId<HTMLDivElement>("log");
const picker = new ModelPicker(byId("model"), byId("custom-model"));
const settings = new SettingsPanel(byId("settings"), byId("settings-toggle"));
const notice = byId<HTMLParagraphElement>("notice");
const forgetKey = byId<HTMLButtonElement>("forget-key");
const keys = new ApiKeyStore(serverUrl, (key) => (forgetKey.hidden = key === undefined));
forgetKey.hidden = keys.key === undefined;
const keyPrompt = new KeyPrompt(byId("key-dialog"));
const apiKey = () => keys.key;

const chat = new Chat({
  log,
  follow: new FollowScroll(byId("scroller"), byId("jump")),
  settings: () => {
    const { transport, ...rest } = settings.read();
    return { client: tokenClient({ transport, apiKey }), model: picker.model, ...rest };
  },
  onBusy: (busy) => {
    send.hidden = busy;
    stop.hidden = !busy;
    document.body.classList.toggle("busy", busy);
  },
  onUnauthenticated: () => void askForKey(),
});

// A refused key is dropped, so that it is not sent again; the question the refusal answered is asked again with the new one.
async function askForKey(): Promise<void> {
  const reason = keys.key === undefined ? "missing" : "refused";
  keys.forget();
  const entered = await keyPrompt.ask(reason);
  if (!entered) return;
  keys.keep(entered.key, entered.scope);
  chat.regenerate();
}

forgetKey.addEventListener("click", () => {
  keys.forget();
  prompt.focus();
});

void modelOffer(tokenClient({ transport: settings.read().transport, apiKey })).then((offer) => {
  picker.fill(offer);
  // The first call the page makes: when the server cannot be reached, say so before a question is asked.
  const unreachable = offer.failure && unreachableError(offer.failure, false);
  notice.textContent = unreachable?.rawMessage ?? "";
  notice.hidden = !unreachable;
});

// The conversation outlives a reload: painted again, and the answer that was streaming resumed where it was.
chat.restore();
addEventListener("pagehide", () => chat.leave());
addEventListener("pageshow", (event) => {
  if (event.persisted) chat.stay();
});

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!settings.check() || !chat.send(prompt.value)) return;
  notice.hidden = true;
  prompt.value = "";
  fitPrompt();
});

// Enter sends; Shift+Enter, or Enter while an input method composes a word, types as usual.
prompt.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  composer.requestSubmit();
});
prompt.addEventListener("input", fitPrompt);
stop.addEventListener("click", () => chat.stop());
byId("new-chat").addEventListener("click", () => {
  chat.clear();
  prompt.focus();
});

// Code blocks are rendered HTML, so their Copy buttons are wired here, once for all.
log.addEventListener("click", (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>(".copy-code");
  const code = button?.closest(".code-block")?.querySelector("code");
  if (button && code) void copyWithFeedback(button, code.textContent ?? "");
});

// The prompt grows with its text, up to the height its style allows.
function fitPrompt(): void {
  send.disabled = !prompt.value.trim();
  prompt.style.height = "auto";
  prompt.style.height = `${prompt.scrollHeight}px`;
}
fitPrompt();
