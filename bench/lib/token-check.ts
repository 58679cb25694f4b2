/** What one stream delivered, read back from the upstream's numbered tokens. */
export interface TokenTally {
  tokens: number;
  /** False if a token came twice, out of order, or was skipped. */
  inOrder: boolean;
  /** Arrival minus the upstream's emit time for each stamped token, in ms. */
  addedMs: number[];
}

/**
 * Checks the numbered tokens of one stream as pieces arrive, however a server
 * merged or split them. With `timed`, each token's added delay is taken on
 * arrival; without, text is only kept and read at the end, so the check costs
 * the process it runs in (the floor's) next to nothing per token.
 */
export function createTokenCheck(timed: boolean) {
  const tally: TokenTally = { tokens: 0, inOrder: true, addedMs: [] };
  let carry = "";
  const read = (text: string, arrivedAt: number) => {
    let start = 0;
    for (let end = text.indexOf(";"); end >= 0; start = end + 1, end = text.indexOf(";", start)) {
      const at = text.indexOf("@", start);
      const stamped = at >= 0 && at < end;
      if (Number(text.slice(start, stamped ? at : end)) !== tally.tokens) tally.inOrder = false;
      tally.tokens++;
      if (timed && stamped) tally.addedMs.push(arrivedAt - Number(text.slice(at + 1, end)));
    }
    carry = text.slice(start);
  };
  return {
    feed(piece: string, arrivedAt: number) {
      if (timed) read(carry + piece, arrivedAt);
      else carry += piece;
    },
    finish(): TokenTally {
      read(carry, Number.NaN);
      return tally;
    },
  };
}
