/**
 * cXML codec — pure: imports only src/model and libraries; no I/O, no clock, no randomness. Every
 * payloadID, timestamp and id is passed in. Money and quantities are decimal strings, never JS numbers.
 *
 * ## Reading
 *
 *   parseCxml(bytes: Buffer | string, { maxBytes?, limits? }): ParsedCxml   throws CxmlError
 *   safeParseCxml(bytes, opts): { ok: true, doc } | { ok: false, error: CxmlError }
 *
 * Security, before anything is parsed: any `<!ENTITY` and any DOCTYPE with an internal subset are refused
 * (400); no entity is ever expanded and no DTD is ever read or fetched. A plain
 * `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">` is fine and gives the
 * version. Malformed XML (truncated, mismatched tags, bare "&", undefined entities, control characters)
 * -> 400 with `line`. Input: UTF-8 by default; a BOM or the XML declaration may say UTF-16, ISO-8859-1,
 * windows-1252. Text keeps non-ASCII characters; the five predefined entities and character references
 * are decoded. Root must be `<cXML>`.
 *
 * `ParsedCxml` gives payloadId, timestamp (raw) + timestampDate (lenient, see dates.ts), version (DOCTYPE,
 * else cXML@version), lang, kind (Request | Message | Response), requestType (the request/message element
 * name, or "Response"; unknown ones come through so the endpoint can answer 406 — compare with
 * SUPPORTED_REQUEST_TYPES), deploymentMode, header { from[], to[], sender[], userAgent } (every Credential
 * with domain/identity/sharedSecret/credentialMac), senderAuth (sharedSecret, or credentialMac /
 * digitalSignature reported as `supported: false`), status (Responses).
 *
 * Typed readers take a ParsedCxml or the raw bytes; all throw CxmlError (400 + `xpath` for bad data,
 * 406 for a different document type or an unsupported feature):
 *
 *   parsePunchOutSetupRequest(doc): PunchOutSetupRequest
 *   parseOrderRequest(doc): OrderRequestDocument          { order: Order, payloadId, documentReference?,
 *                                                           supplierOrderInfo?, lineDetails, attachments, unmapped }
 *   parseInvoiceDetailRequest(doc): InvoiceDetailDocument { invoice: Invoice, specialHandling?, shipFrom?,
 *                                                           warnings, unmapped, ... }
 *   parseStatusUpdateRequest(doc): StatusUpdate
 *   parseStatusResponse(doc): StatusResponse              a partner's answer to what we sent
 *   ProfileRequest has no content: `doc.requestType === 'ProfileRequest'`.
 *
 * Amounts: plain decimals; "1,234.50" (thousands commas with a decimal point) is accepted, "1,234", "1,5"
 * and "1.234,50" are refused as ambiguous (400 with XPath). Every amount of an order must be in the
 * currency of its Total. `unmapped` lists the XPath of each element present that the model does not hold.
 *
 * ## Writing
 *
 * Builders return a complete document (XML declaration, DOCTYPE, pretty-printed) that validates against
 * the DTD it names (tests: `test/helpers/xmllint.ts`). Version 1.2.063 (cXML.dtd / Fulfill.dtd);
 * InvoiceDetailRequest 1.2.037 (InvoiceDetail.dtd). Requests and messages take a RequestEnvelopeInput
 * { payloadId, timestamp, lang?, deploymentMode?, header: { from, to, sender: { credentials, userAgent } } }
 * (from/to take one credential or several); Responses have no Header and take { payloadId, timestamp, lang? }.
 * Invalid input throws CxmlBuildError (a TypeError): it is a bug in the caller, not a partner's error.
 * Pretty-printing indents mixed content too: `<Description><ShortName>x</ShortName>text</Description>` gets
 * line breaks around "text" (readers trim it, ours included). Characters XML cannot carry (control
 * characters) are dropped from text.
 *
 *   buildResponse({ payloadId, timestamp, code, text?, message? })         any request's answer
 *   buildErrorResponse(error: CxmlError, { payloadId, timestamp })         Status from the error
 *   buildPunchOutSetupResponse({ payloadId, timestamp, startPageUrl })
 *   buildProfileResponse({ payloadId, timestamp, transactions: [{ requestName, url }], ... })
 *   buildPunchOutOrderMessage(envelope, cart: PunchOutCart)                 total is checked against items
 *   buildConfirmationRequest(envelope, ConfirmationInput)                   accept / reject / per-line detail
 *   buildShipNoticeRequest(envelope, { shipment: Shipment, order: { payloadId, orderId?, orderDate? }, noticeDate })
 *   buildStatusUpdateRequest(envelope, { documentPayloadId, code, text?, message? })
 *   buildInvoiceDetailRequest(envelope, invoice: Invoice, { specialHandling?, shipFrom?, ... })
 *
 * Credit memos: negative quantities and amounts, positive unit prices (the canonical convention and what
 * cXML expects); see invoice.ts.
 */
export { CxmlError, isCxmlError, cxmlStatusText, CXML_STATUS_TEXT } from './errors';
export type { CxmlErrorDetails } from './errors';

export { parseCxml, safeParseCxml, findCredential, SUPPORTED_REQUEST_TYPES } from './parse';
export type {
  ParsedCxml,
  ParseCxmlOptions,
  SafeParseResult,
  CxmlKind,
  CxmlCredential,
  CredentialMac,
  CxmlHeader,
  CxmlSenderAuth,
  CxmlStatus,
} from './parse';
export type { CxmlElement, XmlLimits } from './xml';
export { DEFAULT_XML_LIMITS } from './xml';

export {
  readCxmlMultipart,
  isMultipartRelated,
  checkAttachmentReferences,
  contentIdOfUrl,
  DEFAULT_MULTIPART_LIMITS,
} from './attachments';
export type { CxmlAttachmentPart, CxmlMultipart, MultipartLimits } from './attachments';

export { parseCxmlDate, formatCxmlTimestamp } from './dates';
export type { CxmlDate } from './dates';
export { parseCxmlDecimal } from './read';

export { parseOrderRequest } from './order-request';
export type { OrderRequestDocument } from './order-request';

export {
  parsePunchOutSetupRequest,
  buildPunchOutSetupResponse,
  buildPunchOutOrderMessage,
  extrinsicValue,
} from './punchout';
export type {
  PunchOutSetupRequest,
  PunchOutSetupItem,
  PunchOutOperation,
  PunchOutSetupResponseInput,
  PunchOutCart,
  PunchOutCartItem,
} from './punchout';

export { buildProfileRequest, buildProfileResponse } from './profile';
export type { ProfileResponseInput, ProfileTransaction } from './profile';

export { buildResponse, buildErrorResponse, parseStatusResponse } from './response';
export type { ResponseInput, StatusResponse } from './response';

export { buildConfirmationRequest, buildShipNoticeRequest, confirmationLinesFromOrder } from './fulfill';
export type {
  ConfirmationInput,
  ConfirmationLine,
  ConfirmationLineStatus,
  ConfirmationType,
  ConfirmationLineStatusType,
  OrderReferenceInput,
  ShipNoticeInput,
} from './fulfill';

export { buildStatusUpdateRequest, parseStatusUpdateRequest } from './status-update';
export type { StatusUpdateInput, StatusUpdate } from './status-update';

export { buildInvoiceDetailRequest, parseInvoiceDetailRequest, normaliseInvoiceSigns } from './invoice';
export type { InvoiceBuildOptions, InvoiceDetailDocument } from './invoice';

export { CxmlBuildError, CXML_VERSION, INVOICE_CXML_VERSION, DTD_BASE_URL } from './build';
export type { CredentialInput, HeaderInput, EnvelopeInput, RequestEnvelopeInput, StatusInput } from './build';

export { buildPunchOutSetupRequest, parsePunchOutOrderMessage, buildOrderRequest } from './buyer';
export type { PunchOutSetupRequestInput, ReturnedCart, ReturnedCartItem, OrderRequestInput } from './buyer';
