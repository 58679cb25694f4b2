/** Reads `TOKENWIRE_CORS_ORIGINS` (comma-separated origins, or `*`) into the `cors` option of the server: the origins that may call. */
export function corsOptionsFromEnv(env: Record<string, string | undefined>): { origins: string[] } {
  const origins = (env.TOKENWIRE_CORS_ORIGINS ?? "").split(",").map((origin) => origin.trim().replace(/\/$/, ""));
  return { origins: origins.filter(Boolean) };
}
