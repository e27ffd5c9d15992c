export type { OciFieldError, OciFields, OciResult } from './fields';
export { OCI_FUNCTIONS, hookUrlAllowed, parseHttpUrl, parseOciLogin } from './login';
export type { OciFunction, OciLogin } from './login';
export {
  OCI_FIELD_LENGTHS,
  OCI_MAX_DECIMALS,
  OciCartError,
  buildOciCartFields,
  ociLongTextField,
  parseOciCart,
} from './cart';
export type {
  OciCartItem,
  OciCartOptions,
  OciFieldList,
  OciItemField,
  OciParsedCart,
  OciParsedItem,
} from './cart';
export { escapeHtml, renderAutoSubmitForm } from './html';
export type { AutoSubmitFormOptions } from './html';
export { buildOciLoginFields, readOciReturn } from './buyer';
export type { OciLoginInput, OciReturnExpectation, OciReturnedCart, OciReturnedItem } from './buyer';
