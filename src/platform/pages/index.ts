/**
 * The page kit: every server-rendered page (punchout catalog, approvals, finance, and the operator
 * console to come) is built from these. See README "Pages" for the API.
 */
export { pageAssets } from './assets';
export {
  checkCsrfLater,
  cookieValue,
  CSRF_CHECK,
  CSRF_EXEMPT,
  csrfToken,
  csrfValid,
  formField,
  requireCsrf,
  SIGN_IN_COOKIE,
  signInKey,
  signInNonce,
} from './csrf';
export { DateRange, FilterButton, FilterField, type FilterFieldProps } from './filters';
export { flashUrl, takeFlash, withFlash, FLASH_TTL_MS, type Flash, type FlashKind } from './flash';
export {
  CredentialForm,
  Empty,
  Flashes,
  PostForm,
  renderPage,
  type Chrome,
  type NavLink,
  type PageOptions,
} from './layout';
export { localeFrom, requestLocale } from './locale';
export { hrefWith, pageLinks, pagingFrom, Pagination, type PageLink, type Paging } from './pagination';
export {
  ErrorBody,
  pageErrors,
  pageNotFound,
  sendErrorPage,
  sendPage,
  type BackForm,
  type ErrorPage,
} from './respond';
export { NOT_FRAMED, setPageHeaders, type PageSecurity } from './security';
export { STYLESHEET, STYLESHEET_PATH } from './styles';
export { themeCss, themePath } from './theme';
export {
  clearSessionCookie,
  consoleUserOf,
  endPageSession,
  endPageSessionsOfKey,
  findPageSession,
  loadPageSession,
  SESSION_COOKIES,
  setSessionCookie,
  signInPageSession,
  startPageSession,
  type ConsoleUser,
  type PageArea,
  type PageSession,
  type SessionSubject,
} from './sessions';
export { SignInForm, signInCsrf, signOutHandlers, type SignInProps } from './sign-in';
