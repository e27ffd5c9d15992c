/** cXML PunchOutSetupRequest (create, edit, inspect) and ProfileRequest. */
import {
  buildProfileResponse,
  buildPunchOutSetupResponse,
  CxmlError,
  parsePunchOutSetupRequest,
} from '../../protocols/cxml';
import { parseHttpUrl } from '../../protocols/oci';
import { newPayloadId, reusedPayloadIdMessage, type CxmlRequest } from '../cxml/endpoint';
import { type DocumentRow, storeDocument, storeDocumentWithRows, type NewDocument } from '../documents/store';
import { receiveOnce } from '../documents/receive-once';
import { randomToken, sha256Hex } from '../platform/secrets';
import {
  createSession,
  newSessionRow,
  restoreCart,
  type NewSession,
  type OriginalCartItem,
  type SessionOperation,
} from './sessions';

type Setup = ReturnType<typeof parsePunchOutSetupRequest>;

/** The operation and the BrowserFormPost URL of a setup request, refused when unusable. */
function setupTarget(setup: Setup): { operation: SessionOperation; returnHref: string } {
  if (setup.operation === 'source') {
    throw new CxmlError(
      406,
      'PunchOutSetupRequest operation "source" is not supported; use create, edit or inspect',
    );
  }
  const operation: SessionOperation = setup.operation;
  if (setup.browserFormPostUrl === undefined) {
    throw new CxmlError(400, 'BrowserFormPost/URL is required: the cart is posted back there');
  }
  const returnUrl = parseHttpUrl(setup.browserFormPostUrl.trim());
  if (!returnUrl) throw new CxmlError(400, 'BrowserFormPost/URL must be an absolute http(s) URL');
  return { operation, returnHref: returnUrl.href };
}

/** The cart an edit or inspect request sends, as the session keeps it. */
function originalCart(setup: Setup): OriginalCartItem[] {
  return setup.items.map((i) => {
    const o: OriginalCartItem = { quantity: i.quantity, supplierPartId: i.supplierPartId };
    if (i.supplierAuxiliaryId !== undefined) o.supplierAuxiliaryId = i.supplierAuxiliaryId;
    if (i.unitPrice !== undefined) o.unitPrice = i.unitPrice;
    if (i.currency !== undefined) o.currency = i.currency;
    if (i.description !== undefined) o.description = i.description;
    if (i.shortName !== undefined) o.shortName = i.shortName;
    if (i.unitOfMeasure !== undefined) o.unitOfMeasure = i.unitOfMeasure;
    if (i.classifications.length)
      o.classifications = i.classifications.map((c) => ({ domain: c.domain, code: c.code }));
    return o;
  });
}

/** Opens a punchout session for a PunchOutSetupRequest, once per payloadID, and answers its StartPage. */
export async function handlePunchOutSetup({ ctx, partner, doc, raw }: CxmlRequest) {
  const setup = parsePunchOutSetupRequest(doc);
  const { operation, returnHref } = setupTarget(setup);
  const original = originalCart(setup);

  // A resent request (same payloadID, e.g. a buyer retrying after a timeout) gets the answer given
  // the first time: the same StartPage, whose token still opens only once.
  const replay = (first: DocumentRow) => {
    if (first.response_body && first.doc_type === 'PunchOutSetupRequest' && first.sha256 === sha256Hex(raw)) {
      return { status: first.response_status ?? 200, body: first.response_body.toString('utf8') };
    }
    throw new CxmlError(409, reusedPayloadIdMessage(setup.payloadId), { xpath: '/cXML/@payloadID' });
  };

  const startToken = randomToken(32);
  const body = buildPunchOutSetupResponse({
    payloadId: newPayloadId(ctx.now()),
    timestamp: ctx.now(),
    startPageUrl: `${ctx.config.publicBaseUrl}/punchout/start/${startToken}`,
  });
  const session = (setupDocumentId: string): NewSession =>
    newSession({ partner, doc }, { setup, operation, returnHref, original, setupDocumentId, startToken });
  const inbound: NewDocument = {
    partnerId: partner.id,
    protocol: 'cxml',
    docType: 'PunchOutSetupRequest',
    direction: 'in',
    externalId: setup.payloadId,
    status: 'accepted',
    contentType: 'text/xml',
    content: raw,
  };
  const answered = { status: 200, contentType: 'text/xml', body };

  const write = async () => {
    if (operation === 'create') {
      // The common case in one statement: the document with its answer (its unique payloadID
      // catches a resend) and the session.
      await storeDocumentWithRows(ctx.db, inbound, answered, (documentId) => [
        ['punchout_sessions', newSessionRow(ctx, { ...session(documentId), startToken })],
      ]);
    } else {
      await ctx.db.transaction(async (trx) => {
        const documentId = await storeDocument(trx, inbound, answered);
        const { session: row } = await createSession(trx, ctx, session(documentId));
        await restoreCart(trx, ctx, partner, row, original);
      });
    }
    return { status: 200, body };
  };
  return receiveOnce(
    ctx.db,
    { partnerId: partner.id, protocol: 'cxml', externalId: setup.payloadId },
    {
      write,
      resend: replay,
    },
  );
}

export function handleProfile({ ctx, requestTypes }: CxmlRequest) {
  const url = `${ctx.config.publicBaseUrl}/cxml`;
  return Promise.resolve({
    status: 200,
    body: buildProfileResponse({
      payloadId: newPayloadId(ctx.now()),
      timestamp: ctx.now(),
      transactions: requestTypes.map((requestName) => ({ requestName, url })),
    }),
  });
}

/** The session row a setup request opens. */
function newSession(
  { partner, doc }: Pick<CxmlRequest, 'partner' | 'doc'>,
  s: {
    setup: Setup;
    operation: SessionOperation;
    returnHref: string;
    original: OriginalCartItem[];
    setupDocumentId: string;
    startToken: string;
  },
): NewSession {
  const { setup, operation, returnHref, original, setupDocumentId, startToken } = s;
  return {
    partnerId: partner.id,
    protocol: 'cxml',
    operation,
    buyerCookie: setup.buyerCookie,
    returnUrl: returnHref,
    returnFields: {
      // The PunchOutOrderMessage goes back from us to the credentials the buyer sent as From.
      buyerFrom: (doc.header?.from ?? []).map((c) => ({ domain: c.domain, identity: c.identity })),
      setupPayloadId: setup.payloadId,
      ...(doc.lang ? { lang: doc.lang } : {}),
    },
    userEmail: setup.user.email ?? null,
    userName: setup.user.name ?? setup.user.uniqueName ?? null,
    contact: setup.contacts.length ? setup.contacts : undefined,
    extrinsics: setup.extrinsics,
    shipTo: setup.shipTo,
    originalCart: operation === 'create' ? null : original,
    setupDocumentId,
    deploymentMode: doc.deploymentMode ?? 'production',
    startToken,
  };
}
