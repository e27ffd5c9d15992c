/**
 * Inbound files from a partner's SFTP mailbox (`sftp.inboundDir`), polled every sftp.pollSeconds by
 * the `sftp.poll` job (jobs.ts). Each file goes to the X12 intake (src/edi/intake.ts) exactly as an
 * interchange POSTed to /edi/x12 by that partner, and its 997/999 goes back by the partner's
 * x12.transport.
 *
 * When a file is complete:
 * - with `sftp.readyFileSuffix` (".ready"): once `<name>.ready` exists beside it (the ready file is
 *   removed after the file is stored);
 * - otherwise when its size and time are unchanged over two polls at least a second apart (servers
 *   report times in whole seconds, so two looks within one second cannot tell a file still written).
 * Names the partner writes before renaming are never taken: hidden files (".x.edi") and names ending
 * in .part, .partial, .filepart or .tmp. A partner that renames a finished upload into place is
 * covered by either rule.
 *
 * Never twice, never lost (table sftp_pickups, one row per file from first sight):
 * - one poll of a mailbox at a time (sftp_mailboxes: a lease of SFTP_LEASE_SECONDS);
 * - a complete file is claimed with a lease of its own before it is read; a worker that dies holding
 *   it leaves it to the next poll after the lease;
 * - its bytes are read, checked against the size it was claimed at (a file that changed meanwhile
 *   goes back to waiting), hashed (sha256) and stored; the same name with the same bytes as a file
 *   stored before is recorded as a duplicate and not stored again; the X12 intake's own idempotency
 *   (ISA sender, receiver and ISA13) makes a file read again after a crash answer as the first time;
 * - only once it is stored is it moved to `sftp.archiveDir` (or deleted without one); a crash between
 *   the two leaves a stored row that the next poll finishes without reading the file again.
 * A file the intake refuses (not X12, or from another sender) is stored as a refused document with
 * the reason, then archived like any other; a file larger than MAX_BODY_BYTES is recorded as refused
 * and left where it is.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ingestX12, X12_CONTENT_TYPE } from '../../edi/intake';
import { storeDocument } from '../../documents/store';
import type { AppContext } from '../../platform/context';
import { AppError } from '../../platform/errors';
import { onlyRow } from '../../platform/db';
import { sha256Hex } from '../../platform/secrets';
import { findPartner, type PartnerRow } from '../../partners/repository';
import type { SftpSettings } from '../../partners/schema';
import { remotePath, SftpError, withSftp, type RemoteEntry, type SftpSession } from './client';
import { endpointOf, sessionOptions } from './endpoint';
import type { PickupRow, PickupStatus, PollOptions, PollResult } from './pickups';

export type { PickupRow, PickupStage, PickupStatus, PollOptions, PollResult } from './pickups';

/** Servers report modification times in whole seconds: an unchanged file is one unchanged this long. */
const STABLE_MIN_MS = 1000;
const TEMP_NAME = /^\.|\.(part|partial|filepart|tmp)$/i;
const OPEN: PickupStatus[] = ['seen', 'claimed', 'stored'];

const leaseSql = (ctx: AppContext) =>
  ctx.db.raw(`now() + (? * interval '1 second')`, [ctx.config.SFTP_LEASE_SECONDS]);

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Takes the mailbox for one poll, or returns false when another poll holds it. */
async function leaseMailbox(ctx: AppContext, partnerId: string, owner: string): Promise<boolean> {
  const rows = await ctx.db.raw<{ rows?: unknown[] }>(
    `insert into sftp_mailboxes (partner_id, poll_owner, poll_lease_until)
     values (?, ?, now() + (? * interval '1 second'))
     on conflict (partner_id) do update set poll_owner = excluded.poll_owner,
       poll_lease_until = excluded.poll_lease_until
     where sftp_mailboxes.poll_lease_until is null or sftp_mailboxes.poll_lease_until < now()
     returning partner_id`,
    [partnerId, owner, ctx.config.SFTP_LEASE_SECONDS],
  );
  return (rows.rows ?? []).length > 0;
}

async function releaseMailbox(
  ctx: AppContext,
  partnerId: string,
  owner: string,
  error: string | null,
): Promise<void> {
  await ctx
    .db('sftp_mailboxes')
    .where({ partner_id: partnerId, poll_owner: owner })
    .update({
      poll_lease_until: null,
      poll_owner: null,
      last_poll_at: ctx.db.fn.now(),
      ...(error
        ? { last_error: error.slice(0, 4000), last_error_at: ctx.db.fn.now() }
        : { last_success_at: ctx.db.fn.now(), last_error: null }),
    });
}

/** Polls one partner's inbound directory once; see the module comment. Never throws for SFTP trouble. */
export async function pollMailbox(
  ctx: AppContext,
  partnerId: string,
  opts: PollOptions = {},
): Promise<PollResult> {
  const result: PollResult = { stored: [], waiting: [], duplicates: [], disposed: [], errors: [] };
  const partner = await findPartner(ctx.db, partnerId);
  if (!partner?.settings.sftp) return { ...result, skipped: 'no_settings' };
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (!(await leaseMailbox(ctx, partnerId, owner))) return { ...result, skipped: 'busy' };
  let failure: string | null = null;
  try {
    const { endpoint, settings } = endpointOf(ctx.config, partner);
    await withSftp(endpoint, sessionOptions(ctx.config), (s) =>
      new Poll(ctx, partner, settings, s, owner, opts, result).run(),
    );
  } catch (err) {
    failure = describe(err);
    result.errors.unshift(failure);
    ctx.log.warn({ partnerId, err: failure }, 'SFTP poll failed');
    await releaseClaims(ctx, owner);
  } finally {
    const summary = failure ?? (result.errors.length ? result.errors.join('; ') : null);
    await releaseMailbox(ctx, partnerId, owner, summary);
  }
  return result;
}

/**
 * Gives back what this poll still holds after a failure: a claimed file waits again (it stays
 * complete, so the next poll takes it), a stored one is disposed of by the next poll.
 */
async function releaseClaims(ctx: AppContext, owner: string): Promise<void> {
  await ctx
    .db('sftp_pickups')
    .where({ claimed_by: owner })
    .whereIn('status', ['claimed', 'stored'])
    .update({
      status: ctx.db.raw("case when status = 'claimed' then 'seen' else status end"),
      claimed_by: null,
      lease_until: null,
    });
}

class Poll {
  private readonly dir: string;

  constructor(
    private readonly ctx: AppContext,
    private readonly partner: PartnerRow,
    private readonly settings: SftpSettings,
    private readonly s: SftpSession,
    private readonly owner: string,
    private readonly opts: PollOptions,
    private readonly result: PollResult,
  ) {
    this.dir = settings.inboundDir;
  }

  private get db() {
    return this.ctx.db;
  }

  async run(): Promise<void> {
    const suffix = this.settings.readyFileSuffix;
    const listing = await this.s.list(this.dir);
    const files = new Map<string, RemoteEntry>();
    const all = new Set<string>();
    for (const e of listing) {
      if (!e.isFile) continue;
      all.add(e.name);
      if (TEMP_NAME.test(e.name) || (suffix && e.name.endsWith(suffix))) continue;
      files.set(e.name, e);
    }
    const open = new Map<string, PickupRow>();
    for (const row of await this.db<PickupRow>('sftp_pickups')
      .where({ partner_id: this.partner.id })
      .whereIn('status', OPEN))
      open.set(row.name, row);

    for (const row of open.values()) {
      if (!files.has(row.name)) await this.vanished(row);
    }
    for (const entry of [...files.values()].sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : 1))) {
      try {
        const ready = suffix ? all.has(`${entry.name}${suffix}`) : undefined;
        await this.consider(entry, open.get(entry.name), ready);
      } catch (err) {
        if (err instanceof SftpError && err.kind !== 'io' && err.kind !== 'exists') throw err;
        const why = `${entry.name}: ${describe(err)}`;
        this.result.errors.push(why);
        await this.db('sftp_pickups')
          .where({ partner_id: this.partner.id, name: entry.name })
          .whereIn('status', OPEN)
          .update({ error: why.slice(0, 4000) });
        await releaseClaims(this.ctx, this.owner);
      }
    }
  }

  /** An open pickup whose file is no longer listed. */
  private async vanished(row: PickupRow): Promise<void> {
    if (row.status === 'seen') {
      // Never complete, never taken: the partner removed or renamed it.
      await this.db('sftp_pickups').where({ id: row.id, status: 'seen' }).delete();
    } else if (row.status === 'stored') {
      // Moved or deleted after it was stored, before that was recorded.
      await this.finishDisposal(row, this.disposalTarget(row));
    } else if (row.lease_until && new Date(row.lease_until).getTime() < Date.now()) {
      await this.db('sftp_pickups').where({ id: row.id, status: 'claimed' }).update({
        status: 'gone',
        error: 'the file disappeared from the inbound directory before it was stored',
        finished_at: this.db.fn.now(),
        lease_until: null,
      });
    }
  }

  private async consider(entry: RemoteEntry, row: PickupRow | undefined, ready: boolean | undefined) {
    const same = row && Number(row.size) === entry.size && Number(row.mtime) === entry.mtime;
    if (row?.status === 'stored') {
      if (same) return this.take(entry, row);
      // Replaced by another file of the same name after the first was stored (that one is kept).
      await this.db('sftp_pickups').where({ id: row.id }).update({
        status: 'done',
        disposed_to: null,
        error: 'replaced on the server by another file of the same name before it was archived',
        finished_at: this.db.fn.now(),
        lease_until: null,
      });
      row = undefined;
    }
    if (row?.status === 'claimed') {
      if (row.lease_until && new Date(row.lease_until).getTime() >= Date.now()) return;
      return this.take(entry, row);
    }
    if (!row) {
      if (await this.leftAsRefused(entry)) return;
      row = await this.insertSeen(entry);
      if (!row) return;
      if (ready) return this.take(entry, row);
      this.result.waiting.push(entry.name);
      return;
    }
    if (!same) {
      await this.db('sftp_pickups').where({ id: row.id }).update({
        size: entry.size,
        mtime: entry.mtime,
        unchanged_since: this.db.fn.now(),
        unchanged_polls: 1,
      });
      if (ready) return this.take(entry, { ...row, size: entry.size, mtime: entry.mtime });
      this.result.waiting.push(entry.name);
      return;
    }
    const updated = onlyRow(
      await this.db('sftp_pickups')
        .where({ id: row.id })
        .update({ unchanged_polls: this.db.raw('unchanged_polls + 1') })
        .returning<{ unchanged_polls: number; unchanged_since: Date }[]>([
          'unchanged_polls',
          'unchanged_since',
        ]),
    );
    const unchangedMs = Date.now() - new Date(updated.unchanged_since).getTime();
    const stable = ready ?? (updated.unchanged_polls >= 2 && unchangedMs >= STABLE_MIN_MS);
    if (stable) return this.take(entry, row);
    this.result.waiting.push(entry.name);
  }

  /** A file refused for its size stays on the server, recorded once. */
  private async leftAsRefused(entry: RemoteEntry): Promise<boolean> {
    const row = await this.db<PickupRow>('sftp_pickups')
      .where({ partner_id: this.partner.id, name: entry.name, size: entry.size, mtime: entry.mtime })
      .where({ status: 'refused' })
      .first('id');
    return !!row;
  }

  private async insertSeen(entry: RemoteEntry): Promise<PickupRow | undefined> {
    const res = await this.db.raw<{ rows?: PickupRow[] }>(
      `insert into sftp_pickups (partner_id, name, size, mtime, status) values (?, ?, ?, ?, 'seen')
       on conflict (partner_id, name) where status in ('seen', 'claimed', 'stored') do nothing
       returning *`,
      [this.partner.id, entry.name, entry.size, entry.mtime],
    );
    return (res.rows ?? [])[0];
  }

  /** Claims the file (a lease), then reads, stores and disposes of it. */
  private async take(entry: RemoteEntry, row: PickupRow): Promise<void> {
    if (entry.size > this.ctx.config.MAX_BODY_BYTES) return this.refuseTooLarge(entry, row);
    const claimed = await this.claim(row);
    if (!claimed) return; // another worker holds it
    await this.opts.onStage?.('claimed', entry.name);
    if (claimed.status === 'stored') return this.dispose(claimed);

    const content = await this.readSettled(entry, claimed);
    if (!content) return;
    const sha256 = sha256Hex(content);
    await this.opts.onStage?.('downloaded', entry.name);
    if (await this.setAsideDuplicate(entry, claimed, sha256)) return;

    const { documentId, refusal } = await this.intake(entry, content);
    const [stored] = (await this.db('sftp_pickups')
      .where({ id: claimed.id })
      .update({
        status: 'stored',
        sha256,
        document_id: documentId,
        error: refusal ? `refused by the X12 intake: ${refusal}`.slice(0, 4000) : null,
        stored_at: this.db.fn.now(),
      })
      .returning('*')) as PickupRow[];
    this.result.stored.push(entry.name);
    await this.opts.onStage?.('stored', entry.name);
    await this.dispose(stored!);
  }

  /** A file over MAX_BODY_BYTES is recorded as refused and left on the server. */
  private async refuseTooLarge(entry: RemoteEntry, row: PickupRow): Promise<void> {
    await this.db('sftp_pickups')
      .where({ id: row.id })
      .update({
        status: 'refused',
        error: `${entry.size} bytes, more than MAX_BODY_BYTES (${this.ctx.config.MAX_BODY_BYTES}): left on the server`,
        finished_at: this.db.fn.now(),
      });
    this.result.errors.push(`${entry.name}: larger than MAX_BODY_BYTES, left on the server`);
  }

  /** Takes the lease on an open pickup nobody holds; undefined when another worker has it. */
  private async claim(row: PickupRow): Promise<PickupRow | undefined> {
    const [claimed] = (await this.db('sftp_pickups')
      .where({ id: row.id })
      .whereIn('status', OPEN)
      .where((q) => {
        q.whereNull('lease_until').orWhere('lease_until', '<', this.db.fn.now());
      })
      .update({
        status: this.db.raw("case when status = 'seen' then 'claimed' else status end"),
        claimed_by: this.owner,
        lease_until: leaseSql(this.ctx),
        claims: this.db.raw('claims + 1'),
      })
      .returning('*')) as PickupRow[];
    return claimed;
  }

  /** The file's bytes, or undefined (back to seen) when it changed while being read. */
  private async readSettled(entry: RemoteEntry, claimed: PickupRow): Promise<Buffer | undefined> {
    const path = remotePath(this.dir, entry.name);
    const content = await this.s.readFile(path);
    const after = await this.s.stat(path);
    if (content.length === entry.size && after && after.size === entry.size && after.mtime === entry.mtime)
      return content;
    // Still being written: wait for it to settle again.
    await this.db('sftp_pickups')
      .where({ id: claimed.id, claimed_by: this.owner })
      .update({
        status: 'seen',
        size: after?.size ?? content.length,
        mtime: after?.mtime ?? entry.mtime,
        unchanged_since: this.db.fn.now(),
        unchanged_polls: 1,
        claimed_by: null,
        lease_until: null,
      });
    this.result.waiting.push(entry.name);
    return undefined;
  }

  /** A file with the name and bytes of one stored before is a duplicate: recorded and removed, not stored. */
  private async setAsideDuplicate(entry: RemoteEntry, claimed: PickupRow, sha256: string): Promise<boolean> {
    const earlier = await this.db<PickupRow>('sftp_pickups')
      .where({ partner_id: this.partner.id, name: entry.name, sha256 })
      .whereIn('status', ['stored', 'done'])
      .first();
    if (!earlier) return false;
    await this.db('sftp_pickups')
      .where({ id: claimed.id })
      .update({
        status: 'duplicate',
        sha256,
        document_id: earlier.document_id,
        error: `the same name and bytes as the file stored at ${new Date(earlier.stored_at ?? earlier.first_seen_at).toISOString()} (pickup ${earlier.id}): not stored again`,
        lease_until: null,
      });
    this.result.duplicates.push(entry.name);
    const to = await this.removeFromInbox(claimed);
    await this.finishDisposal(claimed, to);
    return true;
  }

  /** The file through the X12 intake; a refusal is stored as a refused interchange document. */
  private async intake(
    entry: RemoteEntry,
    content: Buffer,
  ): Promise<{ documentId: string; refusal: string | null }> {
    try {
      const r = await ingestX12(this.ctx, content, {
        scopePartnerId: this.partner.id,
        actor: `sftp:${this.partner.id}`,
      });
      return { documentId: r.inboundDocumentId, refusal: null };
    } catch (err) {
      // Not a refusal (the database or the intake was not available): taken again at the next poll.
      if (!(err instanceof AppError) || err.retryable) throw err;
      const refusal = err.message;
      const documentId = await storeDocument(this.db, {
        partnerId: this.partner.id,
        protocol: 'x12',
        docType: 'interchange',
        direction: 'in',
        externalId: null,
        status: 'refused',
        contentType: X12_CONTENT_TYPE,
        content,
        error: `SFTP ${entry.name}: ${refusal}`.slice(0, 4000),
      });
      this.ctx.log.warn(
        { partnerId: this.partner.id, file: entry.name, reason: refusal },
        'SFTP file refused',
      );
      return { documentId, refusal };
    }
  }

  private disposalTarget(row: PickupRow): string {
    return this.settings.archiveDir ? remotePath(this.settings.archiveDir, row.name) : 'deleted';
  }

  /** Moves a stored file to the archive (or deletes it), then its ready file. */
  private async dispose(row: PickupRow): Promise<void> {
    const to = await this.removeFromInbox(row);
    await this.finishDisposal(row, to);
    await this.opts.onStage?.('disposed', row.name);
  }

  private async removeFromInbox(row: PickupRow): Promise<string> {
    const from = remotePath(this.dir, row.name);
    let to = 'deleted';
    if (this.settings.archiveDir) {
      to = remotePath(this.settings.archiveDir, row.name);
      // An earlier file of the same name is in the archive already: this one gets its pickup id.
      if (await this.s.stat(to)) to = remotePath(this.settings.archiveDir, `${row.name}.${row.id}`);
      await this.s.rename(from, to);
    } else {
      await this.s.unlink(from);
    }
    const suffix = this.settings.readyFileSuffix;
    if (suffix) {
      const ready = remotePath(this.dir, `${row.name}${suffix}`);
      if (await this.s.stat(ready)) await this.s.unlink(ready);
    }
    this.result.disposed.push(row.name);
    return to;
  }

  private async finishDisposal(row: PickupRow, to: string): Promise<void> {
    await this.db('sftp_pickups')
      .where({ id: row.id })
      .whereIn('status', ['stored', 'duplicate'])
      .update({
        status: this.db.raw("case when status = 'stored' then 'done' else status end"),
        disposed_to: to,
        finished_at: this.db.fn.now(),
        lease_until: null,
      });
  }
}
