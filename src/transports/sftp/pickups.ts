/**
 * The records of SFTP inbound polling: a pickup row (table sftp_pickups, one per file from first
 * sight, see inbound.ts), the stages a pickup passes and what one poll answers.
 */

/** Where a file's pickup stands. */
export type PickupStatus = 'seen' | 'claimed' | 'stored' | 'done' | 'duplicate' | 'refused' | 'gone';

/** A row of sftp_pickups. */
export interface PickupRow {
  id: number;
  partner_id: string;
  name: string;
  size: number;
  mtime: number;
  status: PickupStatus;
  first_seen_at: Date;
  unchanged_since: Date;
  unchanged_polls: number;
  claimed_by: string | null;
  lease_until: Date | null;
  claims: number;
  sha256: string | null;
  document_id: string | null;
  error: string | null;
  stored_at: Date | null;
  disposed_to: string | null;
  finished_at: Date | null;
}

/** Points of a pickup, in order; `onStage` (tests) runs at each. */
export type PickupStage = 'claimed' | 'downloaded' | 'stored' | 'disposed';

/** Test hooks of a poll. */
export interface PollOptions {
  onStage?: (stage: PickupStage, name: string) => Promise<void>;
}

/** What one poll of a mailbox did. */
export interface PollResult {
  /** Why nothing was polled: another poll holds the mailbox, or the partner has no SFTP settings. */
  skipped?: 'busy' | 'no_settings';
  /** Files stored (as documents) in this poll. */
  stored: string[];
  /** Files seen but not complete yet. */
  waiting: string[];
  duplicates: string[];
  /** Files moved to the archive or deleted in this poll. */
  disposed: string[];
  /** What went wrong (the connection, or single files), also kept on the mailbox and pickups. */
  errors: string[];
}
