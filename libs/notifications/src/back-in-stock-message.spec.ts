import { backInStockMail, backInStockMessageId, senderDomain } from './back-in-stock-message';

describe('back-in-stock email', () => {
  const options = { from: 'Shop <shop@Example.com>', publicUrl: 'https://shop.example.com' };
  const subscription = { id: 42, round: 2, email: 'ada@example.com', productId: 7 };

  it('has a Message-ID derived from the subscription and its round, never random', () => {
    expect(senderDomain(options.from)).toBe('example.com');
    expect(senderDomain('shop@localhost')).toBe('localhost');
    expect(senderDomain('no address')).toBe('localhost');
    expect(backInStockMessageId(subscription, options.from)).toBe(
      '<back-in-stock.42.2@example.com>',
    );
    const mail = backInStockMail(subscription, { id: 7, name: 'Blazer' }, options);
    expect(backInStockMail(subscription, { id: 7, name: 'Blazer' }, options)).toEqual(mail);
    expect(mail.messageId).toBe('<back-in-stock.42.2@example.com>');
  });

  it('names the product and links to its page', () => {
    const mail = backInStockMail(subscription, { id: 7, name: 'Tom & Jerry <DVD>' }, options);
    expect(mail).toMatchObject({
      from: options.from,
      to: 'ada@example.com',
      subject: 'Back in stock: Tom & Jerry <DVD>',
    });
    expect(mail.text).toContain('https://shop.example.com/p/7');
    expect(mail.html).toContain('Tom &amp; Jerry &lt;DVD&gt;');
    expect(mail.html).not.toContain('<DVD>');
    expect(backInStockMail(subscription, { id: 7, name: null }, options).subject).toBe(
      'Back in stock: Product 7',
    );
  });
});
