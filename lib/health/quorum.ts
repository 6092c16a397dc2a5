// Quorum with hysteresis: a service has quorum while the total weight of its healthy servers is
// high enough. Once met, it is lost only below quorum - hysteresis; once lost, it comes back only
// at quorum + hysteresis, so that a server flapping at the edge does not swap the sorry server in
// and out on every check.

export interface QuorumRule {
  /** Minimum total weight of healthy servers; 0 means no quorum (always met). */
  quorum: number;
  hysteresis: number;
}

/** The state at start, with no history: met when the weight reaches the quorum. */
export function initialQuorum(rule: QuorumRule, healthyWeight: number): boolean {
  return rule.quorum === 0 || healthyWeight >= rule.quorum;
}

export function nextQuorum(rule: QuorumRule, met: boolean, healthyWeight: number): boolean {
  if (rule.quorum === 0) return true;
  return met
    ? healthyWeight >= rule.quorum - rule.hysteresis
    : healthyWeight >= rule.quorum + rule.hysteresis;
}
