import { ConfigError } from "./config-error.ts";
import { readModelsFile } from "./models-file.ts";
import { nearestName } from "./nearest-name.ts";
import { settings } from "./settings.ts";

type Env = Record<string, string | undefined>;

// Every TOKENWIRE_* variable is tokenwire's, so one it does not know is a mistake. Other tools read OPENAI_*,
// ANTHROPIC_*, REDIS_* and TLS_* variables too (OPENAI_ORG_ID, REDIS_PASSWORD): of those, only a near miss of one
// tokenwire reads is refused.
const ownPrefix = "TOKENWIRE_";
const sharedPrefixes = ["OPENAI_", "ANTHROPIC_", "REDIS_", "TLS_"];
const suggested = settings.filter((setting) => !setting.internal).map((setting) => setting.name);
const known = new Set(settings.map((setting) => setting.name));
// Kubernetes gives a pod variables for each service of its namespace: a service named tokenwire brings
// TOKENWIRE_SERVICE_HOST, TOKENWIRE_SERVICE_PORT, TOKENWIRE_PORT=tcp://…, TOKENWIRE_PORT_8080_TCP_ADDR and the like
// (https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables).
const serviceLink = /_SERVICE_(HOST|PORT(_\w+)?)$|_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/;

/**
 * Refuses, as one {@link ConfigError} that names the setting each was
 * probably meant to be, the variables that look like settings and are none:
 * any `TOKENWIRE_*` variable not among {@link settings}, and an `OPENAI_*`,
 * `ANTHROPIC_*`, `REDIS_*` or `TLS_*` one a slip away from one that is. A
 * variable the models file names as a provider's `apiKeyEnv` is no mistake.
 */
export function checkSettingNames(env: Env): void {
  const refusals = new Map(Object.keys(env).sort().flatMap((name) => {
    const refusal = refusalOf(name, env[name]);
    return refusal ? [[name, refusal] as const] : [];
  }));
  // Read only when it could matter: the models file is read again, with its own checks, when the models are made.
  if (refusals.size > 0 && env.TOKENWIRE_MODELS_FILE) {
    for (const provider of readModelsFile(env.TOKENWIRE_MODELS_FILE).providers) refusals.delete(provider.apiKeyEnv ?? "");
  }
  if (refusals.size > 0) throw new ConfigError([...refusals.values()].join("; "));
}

// Why a variable is no setting, with the one it was probably meant to be; undefined when it may stay.
function refusalOf(name: string, value: string | undefined): string | undefined {
  if (known.has(name) || isServiceLink(name, value)) return undefined;
  const own = name.startsWith(ownPrefix);
  // TOKENWIRE_PORT means PORT, however many edits apart the two are.
  const bare = name.slice(ownPrefix.length);
  const meant = own && suggested.includes(bare) ? bare : nearestName(name, suggested, { within: own ? 3 : 2 });
  if (!own && !(meant && sharedPrefixes.some((prefix) => name.startsWith(prefix)))) return undefined;
  return `${name} is not a setting: ${meant ? `did you mean ${meant}?` : "see the configuration table"}`;
}

function isServiceLink(name: string, value: string | undefined): boolean {
  return serviceLink.test(name) || (name.endsWith("_PORT") && /^(tcp|udp|sctp):\/\//.test(value ?? ""));
}
