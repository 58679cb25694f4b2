import { eventId } from "./log-entry.ts";

/** An entry of a stream's log as a writer appends it. @internal */
export interface Entry {
  id: string;
  json: string;
  /** The event's sequence; unset for the end marker. */
  seq?: number;
}

/**
 * The events a writer keeps, as their sequences and JSON alone, about 80
 * bytes a token (BENCHMARKS.md): an entry's id is made again from its
 * sequence when it is written again. @internal
 */
export function createKeptEvents() {
  let seqs: number[] = [];
  let jsons: string[] = [];
  return {
    keep(seq: number, json: string): void {
      seqs.push(seq);
      jsons.push(json);
    },
    /** The entries after `after`, through `through`, in order. */
    between(after: number, through = Infinity): Entry[] {
      const entries: Entry[] = [];
      for (let i = 0; i < seqs.length; i++) {
        const seq = seqs[i]!;
        if (seq > after && seq <= through) entries.push({ id: eventId(seq), json: jsons[i]!, seq });
      }
      return entries;
    },
    /** Forgets the events through `seq`. */
    dropThrough(seq: number): void {
      const kept = seqs.findIndex((each) => each > seq);
      [seqs, jsons] = kept === -1 ? [[], []] : [seqs.slice(kept), jsons.slice(kept)];
    },
  };
}
