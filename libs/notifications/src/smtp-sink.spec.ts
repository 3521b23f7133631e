import { connect } from 'node:net';
import { eventually } from '../../../test/support/eventually';
import { SmtpMailer, isRecipientRejected } from './smtp-mailer';
import { decodeEncodedWords, parseHeaders, SmtpSink } from './smtp-sink';
import type { OutgoingMail } from './back-in-stock-message';

const mail = (to: string, id: number): OutgoingMail => ({
  from: 'Shop <shop@example.com>',
  to,
  subject: `Back in stock: Blazér ${id}`,
  text: 'Good news',
  html: '<p>Good news</p>',
  messageId: `<back-in-stock.${id}.1@example.com>`,
  headers: { 'X-Shop-Notification': 'back-in-stock' },
});

/** The SMTP sink on free ports, with nodemailer (SmtpMailer) sending to it: no other service. */
describe('SmtpSink with SmtpMailer', () => {
  let sink: SmtpSink;
  let ports: { smtpPort: number; httpPort: number };
  let mailer: SmtpMailer;

  beforeEach(async () => {
    sink = new SmtpSink({ smtpPort: 0, httpPort: 0, holdTimeoutMs: 5_000 });
    ports = await sink.start();
    mailer = new SmtpMailer(`smtp://127.0.0.1:${ports.smtpPort}`);
  });

  afterEach(async () => {
    mailer.close();
    await sink.stop();
  });

  const http = async (path: string, init?: RequestInit): Promise<unknown> =>
    (await fetch(`http://127.0.0.1:${ports.httpPort}${path}`, init)).json();

  it('keeps what it accepted and serves it over HTTP, by recipient', async () => {
    const receipt = await mailer.send(mail('ada@example.com', 1));
    expect(receipt.accepted).toEqual(['ada@example.com']);
    await mailer.send(mail('bob@example.com', 2));
    const { items } = (await http('/messages?to=ADA@example.com')) as {
      items: { to: string[]; messageId: string; subject: string; from: string; raw: string }[];
    };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      to: ['ada@example.com'],
      from: 'shop@example.com',
      messageId: '<back-in-stock.1.1@example.com>',
      subject: 'Back in stock: Blazér 1',
    });
    expect(items[0].raw).toContain('Good news');
    expect(sink.list()).toHaveLength(2);
    await http('/messages', { method: 'DELETE' });
    expect(sink.list()).toEqual([]);
  });

  it('holds a message at DATA until released, then accepts it', async () => {
    sink.hold('ada@example.com');
    const sending = mailer.send(mail('ada@example.com', 3));
    await eventually(() => sink.holdState().holds[0]?.state === 'holding', { what: 'held' });
    expect(sink.list()).toEqual([]);
    await http('/holds', { method: 'DELETE' });
    await sending;
    expect(sink.list().map((message) => message.messageId)).toEqual([
      '<back-in-stock.3.1@example.com>',
    ]);
  });

  it('drops a held message whose sender hung up: never acknowledged, never stored', async () => {
    sink.hold('ada@example.com');
    const socket = connect(ports.smtpPort, '127.0.0.1');
    const lines = [
      'EHLO test',
      'MAIL FROM:<shop@example.com>',
      'RCPT TO:<ada@example.com>',
      'DATA',
      'Message-ID: <x@example.com>\r\nSubject: hi\r\n\r\nbody\r\n.',
    ];
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (/^(220|250|354) /m.test(text) && lines.length > 0) socket.write(`${lines.shift()}\r\n`);
    });
    await eventually(() => sink.holdState().holds[0]?.state === 'holding', { what: 'held' });
    socket.destroy();
    await eventually(() => sink.holdState().dropped.length === 1, { what: 'dropped' });
    expect(sink.holdState()).toEqual({
      holds: [],
      dropped: [
        { to: ['ada@example.com'], messageId: '<x@example.com>', droppedAt: expect.any(String) },
      ],
    });
    expect(sink.list()).toEqual([]);
  });

  it('answers 451 to a message held too long, which the sender may retry', async () => {
    await sink.stop();
    sink = new SmtpSink({ smtpPort: 0, httpPort: 0, holdTimeoutMs: 50 });
    ports = await sink.start();
    mailer.close();
    mailer = new SmtpMailer(`smtp://127.0.0.1:${ports.smtpPort}`);
    sink.hold('ada@example.com');
    const failure: unknown = await mailer
      .send(mail('ada@example.com', 4))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ responseCode: 451 });
    expect(isRecipientRejected(failure)).toBe(false);
    expect(sink.list()).toEqual([]);
  });

  it('refuses a hold without an address', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.httpPort}/holds`, {
      method: 'POST',
      body: JSON.stringify({ to: 'nobody' }),
    });
    expect(response.status).toBe(400);
  });
});

describe('isRecipientRejected', () => {
  it('is true only for a 5xx to the envelope', () => {
    expect(isRecipientRejected({ code: 'EENVELOPE', responseCode: 550 })).toBe(true);
    expect(isRecipientRejected({ code: 'EENVELOPE', responseCode: 452 })).toBe(false);
    expect(isRecipientRejected({ code: 'EAUTH', responseCode: 535 })).toBe(false);
    expect(isRecipientRejected({ code: 'ECONNECTION' })).toBe(false);
    expect(isRecipientRejected(new Error('x'))).toBe(false);
  });
});

describe('header parsing', () => {
  it('unfolds headers and decodes encoded words', () => {
    const headers = parseHeaders(
      'Subject: =?UTF-8?Q?Blaz=C3=A9r?=\r\n =?UTF-8?Q?_now?=\r\nTo: a@b\r\n\r\nbody',
    );
    expect(headers).toEqual({ subject: '=?UTF-8?Q?Blaz=C3=A9r?= =?UTF-8?Q?_now?=', to: 'a@b' });
    expect(decodeEncodedWords(headers.subject)).toBe('Blazér now');
    expect(decodeEncodedWords('=?UTF-8?B?QmxhesOpcg==?=')).toBe('Blazér');
  });
});
