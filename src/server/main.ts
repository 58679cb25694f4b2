// `npm start`: serves tokenwire as the environment configures it.
import { serve } from "./serve.ts";

await serve();
