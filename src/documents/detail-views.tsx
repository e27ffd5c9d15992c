/** @jsxRuntime automatic @jsxImportSource preact */
/** One document's console page (parsed summary, bytes, answer, what it touched, deliveries) and a replay's outcome. */
import { Empty, PostForm } from '../platform/pages';
import type { DeliveryView, DocumentDetail } from './detail';
import { highlight, SHOWN_BYTES, type Token } from './highlight';
import type { ReplayResult } from './replay';
import { when } from './views';

export function Code({ tokens, id }: { tokens: Token[]; id?: string }) {
  return (
    <pre class="doc" id={id}>
      {tokens.map((t) => (t.k === 'text' ? t.t : <span class={t.k}>{t.t}</span>))}
    </pre>
  );
}

function Summary({ d }: { d: DocumentDetail }) {
  const doc = d.doc;
  const size = doc.size === null ? d.content.length : Number(doc.size);
  return (
    <dl class="facts" id="summary">
      <dt>Partner</dt>
      <dd>{doc.partner_id ?? 'unknown (refused before the sender was known)'}</dd>
      <dt>Protocol / type</dt>
      <dd>{`${doc.protocol} ${doc.doc_type}`}</dd>
      <dt>Direction</dt>
      <dd>{doc.direction === 'in' ? 'inbound (received)' : 'outbound (sent)'}</dd>
      <dt>External id</dt>
      <dd>{doc.external_id ?? '—'}</dd>
      <dt>Status</dt>
      <dd id="doc-status">{doc.status}</dd>
      {doc.error ? (
        <>
          <dt>Error</dt>
          <dd>{doc.error}</dd>
        </>
      ) : null}
      <dt>Received / sent</dt>
      <dd>{`${when(new Date(doc.created_at))} UTC`}</dd>
      <dt>Stored by (request or job id)</dt>
      <dd id="request-id">
        {doc.request_id ? (
          <>
            <a href={`/console/documents?requestId=${encodeURIComponent(doc.request_id)}`}>
              <code>{doc.request_id}</code>
            </a>
          </>
        ) : (
          '—'
        )}
      </dd>
      <dt>Size, sha256</dt>
      <dd>
        {`${size} bytes (${doc.content_type}), `}
        <small>{doc.sha256}</small>
      </dd>
    </dl>
  );
}

function Actions({ d, csrf }: { d: DocumentDetail; csrf: string }) {
  const id = d.doc.id;
  if (d.doc.direction === 'in')
    return (
      <PostForm action={`/console/documents/${id}/replay`} csrf={csrf} class="stack card" id="replay">
        <label>
          Reason for the replay (kept in the audit log)
          <textarea name="reason" required maxLength={1000} />
        </label>
        <p class="muted">
          The stored copy goes through the same intake again. A document already taken gets its stored answer
          again and nothing is created.
        </p>
        <button type="submit" class="primary">
          Replay
        </button>
      </PostForm>
    );
  return (
    <PostForm action={`/console/documents/${id}/resend`} csrf={csrf} class="stack card" id="resend">
      <label>
        Reason (optional, kept in the audit log)
        <input type="text" name="reason" maxLength={1000} />
      </label>
      <button type="submit" class="primary">
        Resend
      </button>
    </PostForm>
  );
}

function Deliveries({ rows }: { rows: DeliveryView[] }) {
  if (!rows.length) return <Empty id="no-deliveries">No deliveries.</Empty>;
  return (
    <div class="scroll-x">
      <table id="deliveries">
        <thead>
          <tr>
            <th>Queued (UTC)</th>
            <th>Transport, address</th>
            <th>State</th>
            <th>Attempts</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-delivery={r.id}>
              <td class="nowrap">{when(r.createdAt)}</td>
              <td>
                {`${r.transport} `}
                <small>{r.url}</small>
              </td>
              <td>
                {r.status}
                {r.responseStatus !== null ? <small>{` (HTTP ${r.responseStatus})`}</small> : null}
                {r.lastError ? <div class="muted">{r.lastError}</div> : null}
              </td>
              <td>
                {r.tries.map((t) => (
                  <div>
                    <small>{`#${t.attempt} ${when(t.at)} ${t.statusCode ?? '—'} ${t.durationMs} ms ${t.error ?? ''}`}</small>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Touched({ d }: { d: DocumentDetail }) {
  if (!d.orders.length && !d.invoices.length) return <Empty id="no-records">No orders or invoices.</Empty>;
  return (
    <ul id="touched">
      {d.orders.map((o) => (
        <li>
          <a href={`/console/documents?order=${o.id}`}>{`Order ${o.buyerOrderNumber}`}</a>
          {` (${o.supplierOrderNumber ?? 'no number'}, ${o.partnerId}, ${o.state}) — its documents`}
        </li>
      ))}
      {d.invoices.map((i) => (
        <li>
          <a href={`/console/documents?invoice=${i.id}`}>{`Invoice ${i.invoiceNumber}`}</a>
          {` (${i.purpose}, ${i.state}) — its documents`}
        </li>
      ))}
    </ul>
  );
}

/** The document page. */
export function DocumentPage({ d, csrf, mayAct }: { d: DocumentDetail; csrf: string; mayAct: boolean }) {
  const doc = d.doc;
  const cut = d.content.length > SHOWN_BYTES;
  const ack = d.acknowledgment;
  return (
    <>
      <h1>{`${doc.protocol} ${doc.doc_type} ${doc.direction === 'in' ? 'received' : 'sent'}`}</h1>
      <p class="lead">
        <a href="/console/documents">All documents</a>
      </p>
      <Summary d={d} />
      {mayAct ? <Actions d={d} csrf={csrf} /> : null}
      <h2>Document</h2>
      <p>
        <a href={`/console/documents/${doc.id}/raw`} id="download" class="button">
          Download (credentials masked)
        </a>
        {cut ? <small>{` Showing the first ${SHOWN_BYTES} bytes.`}</small> : null}
      </p>
      <Code id="raw" tokens={highlight(doc.protocol, doc.content_type, d.content)} />
      <h2>Answer</h2>
      {d.response ? (
        <>
          <p class="muted">{`HTTP ${d.response.status}, ${d.response.contentType}`}</p>
          <Code id="answer" tokens={highlight(doc.protocol, d.response.contentType, d.response.body)} />
        </>
      ) : (
        <Empty id="no-answer">No answer stored.</Empty>
      )}
      <h2>Orders and invoices</h2>
      <Touched d={d} />
      <h2>Deliveries</h2>
      <Deliveries rows={d.deliveries} />
      {ack ? (
        <>
          <h2>Acknowledgment</h2>
          <dl class="facts" id="acknowledgment">
            <dt>State</dt>
            <dd>{ack.state}</dd>
            <dt>Set</dt>
            <dd>{`${ack.setId} ${ack.controlNumbers.set} (GS ${ack.controlNumbers.group}, ISA ${ack.controlNumbers.interchange})`}</dd>
            <dt>Due by</dt>
            <dd>{ack.dueBy}</dd>
            {ack.acknowledgmentDocumentId ? (
              <>
                <dt>Acknowledged</dt>
                <dd>
                  <a href={`/console/documents/${ack.acknowledgmentDocumentId}`}>
                    {ack.acknowledgedAt ?? 'yes'}
                  </a>
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}
    </>
  );
}

/** What a replay answered. */
export function ReplayOutcome({ id, r }: { id: string; r: ReplayResult }) {
  return (
    <>
      <h1>Replay</h1>
      <p id="replay-outcome">
        {r.idempotent
          ? 'The document had been taken already: this is its stored answer, given again; nothing was created.'
          : 'The document went through the intake and was taken now.'}
      </p>
      <p class="muted">{`HTTP ${r.status}, ${r.contentType}`}</p>
      <Code id="replay-answer" tokens={highlight('', r.contentType, Buffer.from(r.body, 'utf8'))} />
      <p class="actions">
        <a href={`/console/documents/${id}`} class="button">
          Back to the document
        </a>
        {r.documentId && r.documentId !== id ? (
          <a href={`/console/documents/${r.documentId}`} class="button" id="stored-document">
            The stored document
          </a>
        ) : null}
      </p>
    </>
  );
}
