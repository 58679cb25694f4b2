// The keys whose upstream bills whoever holds them.
const paidKeys = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"];

/**
 * The one line `npm start` warns with when a paid upstream's key is served,
 * with no API keys, on an address other machines reach: what is exposed and
 * how to close it. Undefined when nothing is exposed so.
 */
export function exposureWarning(env: Record<string, string | undefined>, listening: { host: string; port: number; apiKeys: boolean }): string | undefined {
  const key = paidKeys.find((name) => env[name]);
  if (!key || listening.apiKeys || isLoopback(listening.host)) return undefined;
  return (
    `anyone who can reach ${listening.host}:${listening.port} spends ${key} through this server, which takes calls without API keys: ` +
    `set TOKENWIRE_API_KEYS_FILE to a keys file to require them, or HOST=127.0.0.1 to serve this machine only`
  );
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}
