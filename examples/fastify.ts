import Fastify from "fastify";
import { LocalChatModel, tokenwireFrom } from "tokenwire";
import { tokenwireFastifyPlugin } from "tokenwire/fastify";

const app = Fastify({ http2: true });
app.get("/", async () => "your app\n");
await app.register(tokenwireFastifyPlugin(tokenwireFrom({ model: new LocalChatModel() })));
console.log("listening on", await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? "127.0.0.1" }));
