import { createServer } from "node:http";
import { LocalChatModel, tokenwireFrom } from "tokenwire";
import { tokenwireNodeHandler, type NodeHandler } from "tokenwire/node";

const app: NodeHandler = (_req, res) => void res.end("your app\n");

const tokenwire = tokenwireFrom({ model: new LocalChatModel() });
const server = createServer(tokenwireNodeHandler(tokenwire, { fallback: app }));
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "127.0.0.1", () => console.log("listening on", server.address()));
