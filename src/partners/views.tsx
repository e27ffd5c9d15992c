/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console's Partners screen: the list, and one partner's page (what it speaks and where we send,
 * its secrets with rotation, its API keys, the connection test and the form). A new secret or key is
 * shown once, on the answer to the POST that made it, and never again.
 */
import { Empty, PostForm } from '../platform/pages';
import type { FormErrors } from './form';
import { PartnerForm } from './form-views';
import type { PingResult } from './ping';
import type { PartnerRow } from './repository';
import type { ApiKeyView } from './service';

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

const protocolsOf = (p: PartnerRow) =>
  (['cxml', 'oci', 'x12', 'sftp', 'as2'] as const).filter((k) => p.settings[k]).join(', ');

export function PartnerList({ partners }: { partners: PartnerRow[] }) {
  return (
    <>
      <h1>Partners</h1>
      <div class="actions">
        <a class="button primary" href="/console/partners/new" id="new-partner">
          New partner
        </a>
      </div>
      {partners.length ? (
        <div class="scroll-x">
          <table id="partners">
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th>Currency</th>
                <th>Protocols</th>
                <th>Outbound URL</th>
                <th>Updated (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {partners.map((p) => (
                <tr data-partner={p.id}>
                  <td class="nowrap">
                    <a href={`/console/partners/${encodeURIComponent(p.id)}`}>{p.id}</a>
                  </td>
                  <td>{p.name}</td>
                  <td>{p.currency}</td>
                  <td>{protocolsOf(p)}</td>
                  <td class="change">{p.settings.cxml?.outboundUrl ?? p.settings.x12?.outboundUrl ?? ''}</td>
                  <td class="nowrap">{when(new Date(p.updated_at).toISOString())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty id="no-partners">No partners yet.</Empty>
      )}
    </>
  );
}

/** What a POST just produced, shown on its answer only. */
export type Notice =
  | { kind: 'secret'; which: string; secret: string }
  | { kind: 'key'; role: string; key: string }
  | { kind: 'ping'; result: PingResult };

function NoticeBox({ n }: { n: Notice }) {
  if (n.kind === 'ping') {
    const r = n.result;
    const ok = r.status !== null && r.status < 300;
    return (
      <div class={`flash ${ok ? 'flash-success' : 'flash-error'}`} role="status" id="ping-result">
        {r.url ? `${r.sent} to ${r.url}: ` : ''}
        <strong id="ping-status">
          {r.status !== null ? `HTTP ${r.status}` : (r.error ?? 'no answer')}
        </strong>{' '}
        in {r.ms} ms
        {r.snippet ? <pre class="snippet">{r.snippet}</pre> : null}
      </div>
    );
  }
  const label = n.kind === 'key' ? `New ${n.role} API key` : `New ${n.which}`;
  return (
    <div class="flash flash-warning" role="status" id="shown-once">
      {label}, shown this once (copy it now; it is stored only as a hash or encrypted):
      <p class="once" id="once-value">
        {n.kind === 'key' ? n.key : n.secret}
      </p>
    </div>
  );
}

function Secrets({ p, csrf }: { p: PartnerRow; csrf: string }) {
  const rows: [string, string, boolean][] = [];
  const cxml = p.settings.cxml;
  if (cxml) {
    rows.push(['cxml.sharedSecret', 'the SharedSecret the partner sends us', cxml.hasSharedSecret]);
    rows.push([
      'cxml.supplierSharedSecret',
      'the SharedSecret we send the partner',
      p.cxml_supplier_secret_enc !== null,
    ]);
  }
  if (p.settings.oci) rows.push(['oci.password', 'the OCI login password', p.settings.oci.hasPassword]);
  if (!rows.length) return <Empty>No cXML or OCI secrets.</Empty>;
  return (
    <table id="secrets">
      <tbody>
        {rows.map(([which, what, has]) => (
          <tr data-secret={which}>
            <td>
              <code>{which}</code> <small>{what}</small>
            </td>
            <td>{has ? 'set' : 'not set'}</td>
            <td class="nowrap">
              <PostForm
                action={`/console/partners/${encodeURIComponent(p.id)}/rotate`}
                csrf={csrf}
                class="inline"
              >
                <input type="hidden" name="which" value={which} />
                <button type="submit">{has ? 'Rotate' : 'Generate'}</button>
              </PostForm>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Keys({ id, keys, csrf }: { id: string; keys: ApiKeyView[]; csrf: string }) {
  const base = `/console/partners/${encodeURIComponent(id)}/keys`;
  return (
    <>
      {keys.length ? (
        <table id="api-keys">
          <thead>
            <tr>
              <th>Key</th>
              <th>Role</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Revoked</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr data-key={k.id} data-prefix={k.prefix}>
                <td class="nowrap">
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.role}</td>
                <td class="nowrap">{when(k.createdAt)}</td>
                <td class="nowrap">{when(k.lastUsedAt) || 'never'}</td>
                <td class="nowrap">{when(k.revokedAt)}</td>
                <td>
                  {k.revokedAt ? null : (
                    <PostForm action={`${base}/${k.id}/revoke`} csrf={csrf} class="inline">
                      <button type="submit" class="danger">
                        Revoke
                      </button>
                    </PostForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty id="no-keys">No API keys.</Empty>
      )}
      <PostForm action={base} csrf={csrf} class="inline" id="new-key">
        <select name="role">
          <option value="erp">erp</option>
          <option value="finance">finance</option>
        </select>
        <button type="submit" class="primary">
          New API key
        </button>
      </PostForm>
    </>
  );
}

export function PartnerPage(p: {
  partner: PartnerRow;
  keys: ApiKeyView[];
  values: Record<string, string>;
  csrf: string;
  notice?: Notice | undefined;
  errors?: FormErrors | undefined;
}) {
  const { partner } = p;
  const id = encodeURIComponent(partner.id);
  return (
    <>
      <h1>
        {partner.name} <small>{partner.id}</small>
      </h1>
      {p.notice ? <NoticeBox n={p.notice} /> : null}
      <div class="actions">
        <PostForm action={`/console/partners/${id}/test`} csrf={p.csrf} class="inline" id="test-connection">
          <button type="submit">Test connection</button>
          <small>
            {partner.settings.cxml?.outboundUrl ?? partner.settings.x12?.outboundUrl ?? 'no outbound URL'}
          </small>
        </PostForm>
        <a href={`/console/deliveries?partner=${id}`}>Deliveries</a>
      </div>
      <h2>Secrets</h2>
      <Secrets p={partner} csrf={p.csrf} />
      <h2>API keys</h2>
      <Keys id={partner.id} keys={p.keys} csrf={p.csrf} />
      <h2>Settings</h2>
      <PartnerForm
        action={`/console/partners/${id}`}
        csrf={p.csrf}
        values={p.values}
        errors={p.errors}
        editing={partner.id}
      />
    </>
  );
}

export function NewPartner(p: {
  csrf: string;
  values: Record<string, string>;
  errors?: FormErrors | undefined;
}) {
  return (
    <>
      <h1>New partner</h1>
      <PartnerForm action="/console/partners" csrf={p.csrf} values={p.values} errors={p.errors} />
    </>
  );
}
