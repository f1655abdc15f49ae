/**
 * Turns on the one embedded Postgres session. PGlite is a single session: the app's own
 * queries and transactions (its Kysely driver) and each local client on the socket take it in
 * turn, first come first served. A turn lasts a whole transaction (and, on the socket, a whole
 * extended-protocol exchange up to its Sync), so nobody's statements run inside another's
 * transaction.
 */

export type Turn = { readonly kind: 'local' | 'socket'; readonly label: string };

/** The app waited too long for its turn while a local client (a command on the socket) held the session. */
export class SessionBusyError extends Error {
  override name = 'SessionBusyError';
}

type Waiter = { turn: Turn; go: () => void; fail: (err: Error) => void };

export class SessionTurns {
  private holder: Turn | null = null;
  private since = 0;
  private readonly queue: Waiter[] = [];

  /**
   * Waits for the session (at once when turn already holds it). A local turn that has waited
   * patienceMs while a socket turn holds the session fails with SessionBusyError, so the app is
   * never held indefinitely by a command; behind other local turns it waits on.
   */
  async take(turn: Turn, patienceMs = 0): Promise<void> {
    if (this.holder === turn) return;
    if (this.holder === null) {
      this.grant(turn);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        turn,
        go: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.queue.push(waiter);
      if (turn.kind !== 'local' || patienceMs <= 0) return;
      const check = (): void => {
        const h = this.holder;
        if (h !== null && h.kind === 'socket' && Date.now() - this.since >= patienceMs) {
          this.remove(waiter);
          waiter.fail(new SessionBusyError(`the embedded store has been busy with ${h.label} for over ${Math.round(patienceMs / 1000)} s (one session, taken in turns); try again when it is done`));
          return;
        }
        timer = setTimeout(check, Math.min(1_000, patienceMs));
        timer.unref();
      };
      timer = setTimeout(check, Math.min(1_000, patienceMs));
      timer.unref();
    });
  }

  /** Ends turn's hold (nothing when it does not hold the session); the next waiter gets it. */
  give(turn: Turn): void {
    if (this.holder !== turn) return;
    this.holder = null;
    const next = this.queue.shift();
    if (next !== undefined) {
      this.grant(next.turn);
      next.go();
    }
  }

  holds(turn: Turn): boolean {
    return this.holder === turn;
  }

  /** How many turns wait for the session. */
  waiting(): number {
    return this.queue.length;
  }

  /** Stops turn's waiting (its connection is gone): its pending take fails with err. */
  cancel(turn: Turn, err: Error): void {
    for (const w of this.queue.filter((x) => x.turn === turn)) {
      this.remove(w);
      w.fail(err);
    }
  }

  private grant(turn: Turn): void {
    this.holder = turn;
    this.since = Date.now();
  }

  private remove(w: Waiter): void {
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
  }
}
