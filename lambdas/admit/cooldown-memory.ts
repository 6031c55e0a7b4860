import type { Ledger } from '../shared/ledger';

/** How long a warm container trusts a cooldown hold it learned, unless COOLDOWN_MEMORY_SECONDS says otherwise. */
export const DEFAULT_COOLDOWN_MEMORY_SECONDS = 5;

export type CooldownClaim = Awaited<ReturnType<Ledger['claimCooldown']>>;
interface Hold { heldBy: string; until: string; untilMs: number; learnedAt: number }

/** More targets than any configuration names; past it the oldest hold is forgotten. */
const MAX_HOLDS = 10_000;

/**
 * Cooldown claims with what this warm container learned from the ledger: when another incident is
 * known to hold the target's cooldown (this container took it or was refused by it, at most
 * maxAgeSeconds ago) and the hold has not expired, the claim is refused without a write, naming
 * the same holder the ledger would. Claims for a target already on their way are waited for and
 * their answer reused. Only refusals are ever answered from memory: every grant is the ledger's
 * conditional write, so two containers (or two events here) can never both act. A hold only ends
 * by expiring (nothing else shortens it), so memory and ledger agree unless the row is changed by
 * hand; the age bounds that. The holder itself (a retried admit) always goes to the ledger.
 */
export class CooldownMemory {
  private readonly holds = new Map<string, Hold>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ledger: Pick<Ledger, 'claimCooldown'>,
    private readonly maxAgeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(runbook: string, target: string, incidentId: string, cooldownMs: number): Promise<CooldownClaim> {
    if (this.maxAgeSeconds === 0) return this.ledger.claimCooldown(runbook, target, incidentId, cooldownMs);
    const key = `${runbook}#${target}`;
    const pending = this.inFlight.get(key);
    if (pending) await pending.catch(() => undefined);
    const known = this.known(key, incidentId);
    if (known) return { granted: false, heldBy: known.heldBy, until: known.until };

    const startedAt = this.now();
    const claim = this.ledger.claimCooldown(runbook, target, incidentId, cooldownMs);
    this.inFlight.set(key, claim);
    try {
      const out = await claim;
      // A grant ends no earlier than the ledger's own clock says; starting from before the call keeps it on the safe side.
      if (out.granted) this.remember(key, { heldBy: incidentId, untilMs: startedAt + cooldownMs, until: new Date(startedAt + cooldownMs).toISOString(), learnedAt: this.now() });
      else if (Number.isFinite(Date.parse(out.until))) this.remember(key, { heldBy: out.heldBy, until: out.until, untilMs: Date.parse(out.until), learnedAt: this.now() });
      return out;
    } finally {
      if (this.inFlight.get(key) === claim) this.inFlight.delete(key);
    }
  }

  /** A hold by another incident, still running and learned recently enough; expired ones are dropped. */
  private known(key: string, incidentId: string): Hold | undefined {
    const hold = this.holds.get(key);
    if (!hold) return undefined;
    const now = this.now();
    if (now >= hold.untilMs || now - hold.learnedAt > this.maxAgeSeconds * 1000) {
      this.holds.delete(key);
      return undefined;
    }
    return hold.heldBy === incidentId ? undefined : hold;
  }

  private remember(key: string, hold: Hold): void {
    this.holds.delete(key);
    if (this.holds.size >= MAX_HOLDS) this.holds.delete(this.holds.keys().next().value!);
    this.holds.set(key, hold);
  }
}
