import tseslint from "typescript-eslint";

// The core must stay transport-free: no Connect, no node:http*, no host framework, no model vendor.
const transportImports = {
  patterns: [
    { group: ["@connectrpc/*", "@grpc/*"], message: "src/core is transport-free: put wire code in src/adapters/." },
    { group: ["node:http", "node:http2", "node:net", "node:tls", "http", "http2", "net", "tls"], message: "src/core is transport-free." },
    { group: ["express", "fastify", "pino"], message: "src/core takes hosts and loggers through interfaces." },
    { group: ["@langchain/openai", "openai", "@langchain/anthropic", "@langchain/*-*"], message: "src/core knows no model vendor." },
    { group: ["../adapters/*", "../server/*", "../models/*", "../config/*", "../../gen/*"], message: "src/core depends on nothing else in the project." },
  ],
};

// Adapters translate and nothing more: the standalone server stacks on them, never the other way round, and they
// serve a Tokenwire that the application built, never building one from models or settings of their own.
const serverImports = {
  patterns: [
    { group: ["../models/*", "../../models/*", "../config/*", "../../config/*"], message: "src/adapters take a Tokenwire: building one from models or settings is the application's step." },
    { group: ["../server/*", "../../server/*"], message: "src/adapters must not import src/server: the server is built from the adapters." },
    { group: ["../app/*", "../../app/*"], message: "src/adapters must not import src/app, the npm start application." },
  ],
};

// The server is a library: the application (environment, page bundling, process) stacks on it, never the reverse.
const appImports = {
  patterns: [{ group: ["../app/*"], message: "src/server is the library part: the npm start application in src/app uses it, not the other way round." }],
};

// Configuration is a leaf: the application, the server and the models read their settings through it, and it reads
// none of them, nor the adapters; of the core, only its types and its constant for the longest timer.
const configImports = {
  patterns: [
    { group: ["../app/*", "../cli/*", "../server/*", "../adapters/*", "../models/*"], message: "src/config is a leaf: the layers import it, never the reverse." },
    { group: ["../core/*", "!../core/deadline.ts"], allowTypeImports: true, message: "src/config may import the core's types only." },
  ],
};

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "gen/", "web/dist/"] },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tseslint.parser },
    rules: { "max-params": ["error", 3] },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", transportImports] },
  },
  {
    files: ["src/adapters/**/*.ts"],
    rules: { "no-restricted-imports": ["error", serverImports] },
  },
  {
    files: ["src/server/**/*.ts"],
    rules: { "no-restricted-imports": ["error", appImports] },
  },
  {
    files: ["src/config/**/*.ts"],
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: { "@typescript-eslint/no-restricted-imports": ["error", configImports] },
  },
);
