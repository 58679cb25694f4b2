import type { LogEntry } from "./log-entry.ts";
import type { StreamChannels } from "./redis-clients.ts";
import type { RedisHealth } from "./redis-health.ts";

/** Takes the entries a producer announced, in order. @internal */
export type TailListener = (entries: LogEntry[]) => void;

/**
 * The channels this process follows live: one subscription per stream,
 * whatever the number of its readers here, each message parsed once.
 * @internal
 */
export interface TailSubscriptions {
  /**
   * Adds a listener; resolves once Redis has confirmed the subscription, so
   * that whatever is published after it is heard, with the function that
   * removes it.
   */
  add(channel: string, listener: TailListener): Promise<() => void>;
  /** True while a reader in this process follows the channel. */
  has(channel: string): boolean;
}

interface Channel {
  listeners: Set<TailListener>;
  subscribed: Promise<void>;
  onMessage(message: string): void;
}

/** Shares the streams' channels among the readers of this process; each subscription has the health's deadline. @internal */
export function createTailSubscriptions(subscriber: StreamChannels, health: RedisHealth): TailSubscriptions {
  const channels = new Map<string, Channel>();
  const open = (name: string): Channel => {
    const listeners = new Set<TailListener>();
    const onMessage = (message: string): void => {
      const entries = JSON.parse(message) as LogEntry[];
      for (const listener of listeners) listener(entries);
    };
    let sent: Promise<void> | undefined;
    const channel: Channel = { listeners, onMessage, subscribed: health.call(() => (sent = subscriber.subscribe(name, onMessage))) };
    // A failed subscription is not kept: the next reader tries again. One that Redis confirms after its deadline
    // is taken back, or its stream would count a reader here for as long as the connection lasts.
    channel.subscribed.catch(() => {
      if (channels.get(name) === channel) channels.delete(name);
      sent?.then(() => (channels.get(name) === channel ? undefined : subscriber.unsubscribe(name, onMessage))).catch(() => {});
    });
    channels.set(name, channel);
    return channel;
  };
  return {
    has: (name) => channels.has(name),
    async add(name, listener) {
      const channel = channels.get(name) ?? open(name);
      channel.listeners.add(listener);
      const remove = (): void => {
        if (!channel.listeners.delete(listener) || channel.listeners.size > 0 || channels.get(name) !== channel) return;
        channels.delete(name);
        subscriber.unsubscribe(name, channel.onMessage).catch(() => {}); // a lost connection drops it anyway
      };
      await channel.subscribed.catch((error: unknown) => (remove(), Promise.reject(error)));
      return remove;
    },
  };
}
