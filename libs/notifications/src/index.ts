// Back-in-stock notifications: the sign-up's validation and rules, the notifier that mails each
// subscriber once per restock, the SMTP sender (nodemailer) and the local SMTP sink. The wiring
// lives in apps/stock-api (the route) and apps/sync-worker (the consumer).
export {
  BackInStockProductNotFoundError,
  InvalidBackInStockRequestError,
  ProductInStockError,
} from './back-in-stock-errors';
export {
  BackInStockMail,
  type BackInStockMailResult,
  type BackInStockMailSettings,
  type ProductNameReader,
  restockClaimToken,
  type SubscriptionQueue,
} from './back-in-stock-mail';
export {
  backInStockMail,
  backInStockMessageId,
  type BackInStockMailOptions,
  type OutgoingMail,
} from './back-in-stock-message';
export { parseBackInStockRequest } from './back-in-stock-request';
export {
  BackInStockSignup,
  type BackInStockSignupResult,
  type StockLevelReader,
  subscriptionView,
  type SubscriptionWriter,
} from './back-in-stock-signup';
export { isRecipientRejected, type MailReceipt, type MailSender, SmtpMailer } from './smtp-mailer';
export {
  type SinkDropped,
  type SinkHold,
  type SinkMessage,
  SmtpSink,
  type SmtpSinkOptions,
} from './smtp-sink';
