/**
 * Where a back-in-stock subscription stands: waiting for a restock, its email accepted by the
 * SMTP server, or refused by it for good (a 5xx for that address: retrying would not help).
 */
export const BACK_IN_STOCK_STATUSES = ['pending', 'sent', 'rejected'] as const;
export type BackInStockStatus = (typeof BACK_IN_STOCK_STATUSES)[number];

/** Longest address accepted (RFC 5321's path limit); the column is as wide. */
export const MAX_EMAIL_LENGTH = 254;

/** Body of `POST /notifications/back-in-stock`. */
export interface BackInStockRequest {
  productId: number;
  email: string;
}

/** What `POST /notifications/back-in-stock` answers (201 new, 200 the same one again). */
export interface BackInStockSubscriptionView {
  id: number;
  productId: number;
  email: string;
  status: BackInStockStatus;
  /** When this round of the subscription began (ISO-8601). */
  subscribedAt: string;
  /** When the email went out (ISO-8601), or null while pending. */
  sentAt: string | null;
}
