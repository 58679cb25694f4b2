// `npm start`: serves tokenwire as the environment configures it.
import { startServer } from "./start-server.ts";

// Exit at once on a setting to fix: the chat page's bundler, already started, would keep the process alive.
if (!(await startServer())) process.exit(1);
