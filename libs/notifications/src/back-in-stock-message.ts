import type { BackInStockSubscription } from '@shop/persistence';

/** One email as the shop hands it to SMTP (nodemailer's fields of the same names). */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<...>`: the same for every attempt at one email, so a receiver can drop a repeat. */
  messageId: string;
  headers: Record<string, string>;
}

export interface BackInStockProduct {
  id: number;
  /** Null when the catalog no longer has the product's row. */
  name: string | null;
}

export interface BackInStockMailOptions {
  /** `MAIL_FROM`, e.g. `Shop <shop@example.com>`. */
  from: string;
  /** The public origin (`PUBLIC_URL`): the email links to the product page there. */
  publicUrl: string;
}

/** The domain of the From address (`Shop <shop@example.com>` → `example.com`). */
export function senderDomain(from: string): string {
  const match = /@([^>\s@]+)>?\s*$/.exec(from);
  return match ? match[1].toLowerCase() : 'localhost';
}

/**
 * The Message-ID of one round of one subscription: derived, never random, so every attempt at
 * that email (a retry after a crash between SMTP's 250 and the MySQL mark) carries the same id,
 * and a store or MTA that drops repeated Message-IDs keeps one copy.
 */
export function backInStockMessageId(
  subscription: Pick<BackInStockSubscription, 'id' | 'round'>,
  from: string,
): string {
  return `<back-in-stock.${subscription.id}.${subscription.round}@${senderDomain(from)}>`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** The email one subscriber gets when the product is back. */
export function backInStockMail(
  subscription: Pick<BackInStockSubscription, 'id' | 'round' | 'email' | 'productId'>,
  product: BackInStockProduct,
  options: BackInStockMailOptions,
): OutgoingMail {
  const name = product.name ?? `Product ${product.id}`;
  const url = new URL(`/p/${product.id}`, options.publicUrl).toString();
  return {
    from: options.from,
    to: subscription.email,
    // Header injection is not possible: nodemailer encodes the subject, and names come from MySQL.
    subject: `Back in stock: ${name}`,
    text: [
      `Good news: ${name} is back in stock.`,
      '',
      `Get it before it sells out again: ${url}`,
      '',
      'You asked us to tell you once; this is the only email about it.',
    ].join('\n'),
    html:
      `<p>Good news: <strong>${escapeHtml(name)}</strong> is back in stock.</p>` +
      `<p><a href="${escapeHtml(url)}">Get it before it sells out again</a></p>` +
      '<p>You asked us to tell you once; this is the only email about it.</p>',
    messageId: backInStockMessageId(subscription, options.from),
    headers: {
      'X-Shop-Notification': 'back-in-stock',
      'X-Shop-Subscription': `${subscription.id}.${subscription.round}`,
    },
  };
}
