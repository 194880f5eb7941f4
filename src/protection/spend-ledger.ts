/**
 * What a key has spent, for budgets. The tasks module provides it (spend is the sum of its tasks'
 * costs); the composition root hands it to ProtectionModule.register(), since tasks applies the
 * budget guard and so imports this folder.
 */
export abstract class SpendLedger {
  /** USD spent by `owner` (a key id, or null with auth off) on tasks created since `from`. */
  abstract spendUsd(owner: string | null, from: Date): Promise<number>;
}
