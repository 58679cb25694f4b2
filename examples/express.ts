import express from "express";
import { LocalChatModel, tokenwireFrom } from "tokenwire";
import { tokenwireExpressMiddleware } from "tokenwire/express";

const app = express();
app.use(tokenwireExpressMiddleware(tokenwireFrom({ model: new LocalChatModel() })));
app.get("/", (_req, res) => void res.send("your app\n"));
const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "127.0.0.1", (error) => {
  if (error) throw error; // Express 5 hands a failure to listen, such as a port in use, to this callback
  console.log("listening on", server.address());
});
