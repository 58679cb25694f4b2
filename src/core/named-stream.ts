import { errors, hasReason } from "./errors.ts";
import type { CreateStreamOptions, StreamLog, StreamLogWriter } from "./stream-log.ts";

// What a chat id is made of in practice (the AI SDK's ids, UUIDs, `chat_42`), and nothing that needs escaping in
// a URL path, a Redis key's hash tag or a log line.
const streamIdPattern = /^[\w.:~-]{1,128}$/;

/**
 * Starts a stream's log under an id the caller chose. The log replaces the
 * id's ended stream itself; the caller's own stream still generating there is
 * stopped and waited for first, as a new message in a chat supersedes the
 * answer in flight. Another caller's stream keeps the id.
 * @internal
 */
export async function createNamedStream(log: StreamLog, streamId: string, options: CreateStreamOptions): Promise<StreamLogWriter> {
  if (!streamIdPattern.test(streamId)) throw errors.invalidRequest("a stream id is 1 to 128 letters or digits or _ . : ~ -");
  try {
    return await log.create(streamId, options);
  } catch (reason) {
    if (!hasReason(reason, "streamExists")) throw reason;
  }
  // Another caller's stream reads as unknown to this one: the id stays taken.
  const generating = await log.stop(streamId, options.owner).catch(() => {
    throw errors.streamExists();
  });
  if (generating) await untilEnded(log, streamId, options.owner);
  return log.create(streamId, options);
}

/**
 * Deletes a stream at once: its id then reads as unknown, on every replica
 * that shares the log. One still generating is stopped and waited for first,
 * so that nothing is written under the id once it is gone.
 * @internal
 */
export async function deleteNamedStream(log: StreamLog, streamId: string, caller: string | undefined): Promise<void> {
  if (await log.delete(streamId, caller)) return;
  await log.stop(streamId, caller);
  await untilEnded(log, streamId, caller);
  // Stopped and read to its end, it has ended: only a log that lost sight of it (Redis gone meanwhile) still says no.
  if (!(await log.delete(streamId, caller))) throw errors.logUnavailable(new Error("the stream still generates after its stop"));
}

// Reads the stream to its end, however it ends: stopped, it ends soon.
async function untilEnded(log: StreamLog, streamId: string, caller: string | undefined): Promise<void> {
  try {
    for await (const event of log.read(streamId, { afterSeq: -1, caller })) void event;
  } catch {
    // Its failure is its readers' to learn; here it only had to end.
  }
}
