import { LocalChatModel, tokenwireFrom } from "tokenwire";
import { tokenwireFetchHandler } from "tokenwire/fetch";

const app = async (_request: Request) => new Response("your app\n");

export const tokenwire = tokenwireFrom({ model: new LocalChatModel() });
const handler = tokenwireFetchHandler(tokenwire, { fallback: app });

// Deno (`deno serve`), Bun and Cloudflare Workers serve a default export with a `fetch` method.
export default { fetch: handler };
